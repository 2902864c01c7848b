/**
 * pullPortal and pullScore766 ask the portal for as many pages (months) at once as the configuration says
 * (PORTAL_PAGES_AHEAD), seen from the loopback portal's side: the most requests it answered at once.
 */
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../../functions/core/config.js';
import { localContext } from '../../../functions/core/local-context.js';
import { pullPortal, pullScore766 } from '../../../functions/core/pipeline.js';
import { startPortal } from '../../../functions/portal/server.js';
import { FIXTURE_DATA_DIR, monthRows, removeTempDirs, tempDataDir, writeMonthCsv } from '../portal/helpers.js';

const TOKEN = 'pages-ahead-token-5c1e';
let dataDir: string;
let lakes: string;

beforeAll(async () => {
  dataDir = await tempDataDir();
  await writeMonthCsv(dataDir, '2024-05', monthRows('2024-05', 2_345, 7).lines); // 5 pages of 500
  // Five months of the demo province's 766 answer (the fixture's May, under five names).
  await mkdir(path.join(dataDir, 'score766'), { recursive: true });
  for (const m of ['01', '02', '03', '04', '05']) await copyFile(path.join(FIXTURE_DATA_DIR, 'score766', '2024-05.json'), path.join(dataDir, 'score766', `2024-${m}.json`));
  lakes = await mkdtemp(path.join(tmpdir(), 'pages-ahead-'));
});
afterAll(async () => {
  await removeTempDirs();
  await rm(lakes, { recursive: true, force: true });
});

/**
 * Runs `pull` against a loopback portal whose answers on `route` each wait 50 ms (requests asked together
 * are answered together), with PORTAL_PAGES_AHEAD=`ahead`, on a lake of its own; then checks the portal
 * answered `requests` requests, at most `most` at once, and none is left open.
 */
async function pullThrough(
  name: string,
  ahead: string,
  route: string,
  pull: (ctx: ReturnType<typeof localContext>) => Promise<void>,
  expected: { requests: number; most: number },
): Promise<void> {
  const portal = await startPortal({ dataDir, token: TOKEN, faults: [{ fault: 'slow', delayMs: 50, path: route }] });
  try {
    const config = loadConfig(undefined, { PORTAL_PAGE_SIZE: '500', PORTAL_PAGES_AHEAD: ahead });
    await pull(localContext({ lakeDir: path.join(lakes, `lake-${name}-${ahead}`), workDir: path.join(lakes, `work-${name}-${ahead}`), config, portal: { baseUrl: portal.url } }));
    expect(portal.stats.requests).toBe(expected.requests);
    expect(portal.stats.maxInFlight).toBe(expected.most);
    expect(portal.stats.inFlight).toBe(0);
  } finally {
    await portal.close();
  }
}

describe('pullPortal with PORTAL_PAGES_AHEAD', () => {
  test.each([
    ['0', 1],
    ['3', 3],
  ])('should keep at most the configured pages in flight (PORTAL_PAGES_AHEAD=%s: %i at once) and stage every page', async (ahead, most) => {
    await pullThrough('portal', ahead, '/api/v1/dossiers', async (ctx) => {
      const r = await pullPortal(ctx, { from: '2024-05', to: '2024-05', token: TOKEN });
      expect(r.rows).toBe(2_345);
    }, { requests: 5, most });
  });
});

describe('pullScore766 with PORTAL_PAGES_AHEAD', () => {
  test.each([
    ['0', 1],
    ['3', 4],
  ])('should keep at most the configured months ahead in flight (PORTAL_PAGES_AHEAD=%s: %i at once: the month handed over and those asked ahead) and stage every month', async (ahead, most) => {
    await pullThrough('766', ahead, '/jsp/rest.jsp', async (ctx) => {
      const r = await pullScore766(ctx, { from: '2024-01', to: '2024-05', tinhId: 'H99' });
      expect(r.staged).toBe(5);
    }, { requests: 5, most });
  });
});
