/**
 * An NSW unit exports its own file every month (`nsw/<agency>/<yyyy-mm>.csv`, header-only in a month
 * without dossiers): a snapshot expects each unit's month, so one unit's missing export is not hidden by the
 * other units' files (pipeline.ts, gapUnit; transform/snapshot.ts, sourceGaps).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { NSW_CSV_HEADER } from '../../../functions/core/lake/csv-header.js';
import { landStaged } from '../../../functions/core/lake/land.js';
import { ingestDropDir, ingestFiles, snapshot } from '../../../functions/core/pipeline.js';
import { demoContext } from '../../helpers/demo-lake.js';
import { PORTAL_HEADER, portalRow } from '../../fixtures/bad/make.js';
import { lakeFactory, landRegistry, MAX_TS } from '../../reliability/lakes.js';

const newLake = lakeFactory('snapshot-units');
const NSW_EMPTY = `${NSW_CSV_HEADER.join(';')}\r\n`;

describe('a snapshot of a month one NSW unit has not exported', () => {
  test('should be refused naming the unit, though another unit (with the same header-only bytes) exported it, until it lands or the operator names it', async () => {
    const lake = newLake();
    await landRegistry(lake);
    const drop = path.join(lake.tmp, 'drop');
    const put = async (rel: string, body: string) => {
      await mkdir(path.dirname(path.join(drop, rel)), { recursive: true });
      await writeFile(path.join(drop, rel), body);
    };
    await put('portal/dossiers/2024-05.csv', `${PORTAL_HEADER}\r\n${portalRow('X1')}\r\n`);
    await put('portal/dossiers/2024-06.csv', `${PORTAL_HEADER}\r\n`);
    await put('portal/dossiers/2024-07.csv', `${PORTAL_HEADER}\r\n`);
    // Two units, header-only every month (one file, byte for byte): H99.09.01 has not sent June.
    for (const f of ['nsw/H99.04/2024-05.csv', 'nsw/H99.04/2024-06.csv', 'nsw/H99.04/2024-07.csv', 'nsw/H99.09.01/2024-05.csv', 'nsw/H99.09.01/2024-07.csv']) await put(f, NSW_EMPTY);
    const ctx = demoContext(lake.root, lake.work);
    const run = async () => {
      await ingestDropDir(ctx, { dir: drop, include: ['portal-csv', 'nsw-csv'] });
      await landStaged({ storage: lake.storage, workDir: lake.work, maxTimestamp: MAX_TS });
    };
    await run();
    const now = new Date('2024-09-01T00:00:00Z');
    expect((await snapshot(ctx, { period: '2024-05', now })).published).toBe(true);
    await expect(snapshot(ctx, { period: '2024-06', now })).rejects.toThrow(/no dossier file has landed from nsw\/H99\.09\.01 for 2024-06; .*--allow-missing nsw\/H99\.09\.01/);
    // A unit the lake does not have is a typo.
    await expect(snapshot(ctx, { period: '2024-06', now, allowMissing: ['nsw/H99.05'] })).rejects.toThrow(/"nsw\/H99\.05" is not a dossier source of this lake \(its sources: nsw\/H99\.04, nsw\/H99\.09\.01, portal\)/);
    // The unit's June lands (the same header-only bytes as every other file): June is whole.
    await put('nsw/H99.09.01/2024-06.csv', NSW_EMPTY);
    await run();
    expect((await snapshot(ctx, { period: '2024-06', now })).published).toBe(true);
    expect(JSON.parse((await lake.storage.get('snapshots/2024-06/manifest.json')).toString('utf8')).missing_sources).toBeUndefined();
    // August: H99.04's export is lost; the operator names the unit, or the whole source.
    await put('portal/dossiers/2024-08.csv', `${PORTAL_HEADER}\r\n`);
    await put('nsw/H99.09.01/2024-08.csv', NSW_EMPTY);
    await run();
    expect((await snapshot(ctx, { period: '2024-07', now })).published).toBe(true);
    await expect(snapshot(ctx, { period: '2024-08', now })).rejects.toThrow(/from nsw\/H99\.04 for 2024-08;/);
    expect((await snapshot(ctx, { period: '2024-08', now, allowMissing: ['nsw'] })).published).toBe(true);
    expect(JSON.parse((await lake.storage.get('snapshots/2024-08/manifest.json')).toString('utf8')).missing_sources).toEqual([
      { source: 'nsw/H99.04', months: ['2024-08'], cause: 'allowed' },
    ]);
  });

  test('should count an NSW unit export staged by hand under its drop path for the unit, and one under a bare name for none', async () => {
    const lake = newLake();
    await landRegistry(lake);
    const ctx = demoContext(lake.root, lake.work);
    const put = async (rel: string, body: string) => {
      const f = path.join(lake.tmp, rel);
      await mkdir(path.dirname(f), { recursive: true });
      await writeFile(f, body);
      return f;
    };
    const ingest = async (kind: 'portal-csv' | 'nsw-csv', files: string[], period?: string) => {
      await ingestFiles(ctx, { kind, files, ...(period ? { period } : {}) });
      await landStaged({ storage: lake.storage, workDir: lake.work, maxTimestamp: MAX_TS });
    };
    await ingest('portal-csv', [await put('in/2024-05.csv', `${PORTAL_HEADER}\r\n${portalRow('X1')}\r\n`), await put('in/2024-06.csv', `${PORTAL_HEADER}\r\n`)]);
    await ingest('nsw-csv', [await put('in/nsw/H99.04/2024-05.csv', NSW_EMPTY), await put('in/nsw/H99.04/2024-06.csv', NSW_EMPTY), await put('downloads/H99.09.01/2024-05.csv', NSW_EMPTY)]);
    const now = new Date('2024-09-01T00:00:00Z');
    await expect(snapshot(ctx, { period: '2024-06', now })).rejects.toThrow(/from nsw\/H99\.09\.01 for 2024-06;/);
    // Exported under a bare name with --period: no unit's June, and no source of its own.
    await ingest('nsw-csv', [await put('downloads/export-june.csv', `${NSW_EMPTY}`)], '2024-06');
    const refused = (await snapshot(ctx, { period: '2024-06', now }).catch((e: unknown) => e)) as Error;
    expect(refused.message).toMatch(/no dossier file has landed from nsw\/H99\.09\.01 for 2024-06; /);
    expect(refused.message).not.toMatch(/from nsw for/);
    await ingest('nsw-csv', [await put('downloads/H99.09.01/2024-06.csv', NSW_EMPTY)]);
    expect((await snapshot(ctx, { period: '2024-06', now })).published).toBe(true);
    // July from every unit: the bare-named June file expects nothing of July.
    await ingest('portal-csv', [await put('in/2024-07.csv', `${PORTAL_HEADER}\r\n`)]);
    await ingest('nsw-csv', [await put('in/nsw/H99.04/2024-07.csv', NSW_EMPTY), await put('in/nsw/H99.09.01/2024-07.csv', NSW_EMPTY)]);
    expect((await snapshot(ctx, { period: '2024-07', now })).published).toBe(true);
  });
});
