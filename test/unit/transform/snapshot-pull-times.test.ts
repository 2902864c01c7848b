/**
 * A snapshot counts a month only with a file pulled once the month had ended (transform/snapshot.ts,
 * sourceGaps): the paths that bring such a file in practice — the daily portal pull, whose ETags would
 * answer an unchanged month 304 and stage nothing (connectors/portal.ts, PeriodState.afterEnd), and a drop
 * folder read again every run, whose files keep the time they were written (RawMeta.made_at).
 */
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { localContext } from '../../../functions/core/local-context.js';
import { landStaged } from '../../../functions/core/lake/land.js';
import { ingestDropDir, pullPortal, snapshot } from '../../../functions/core/pipeline.js';
import { demoContext } from '../../helpers/demo-lake.js';
import { startPortal } from '../../../functions/portal/server.js';
import { removeTempDirs, tempDataDir, writeMonthCsv } from '../portal/helpers.js';
import { PORTAL_HEADER, portalRow } from '../../fixtures/bad/make.js';
import { lakeFactory, landRegistry, MAX_TS } from '../../reliability/lakes.js';
import type { PutOptions, Storage } from '../../../functions/core/storage/types.js';

const newLake = lakeFactory('snapshot-pull-times');
afterAll(removeTempDirs);

describe('the daily portal pull across a month end', () => {
  test('should pull an ended month again without ETags once, so a month unchanged on its last day is confirmed, then answer 304', async () => {
    const dataDir = await tempDataDir();
    await writeMonthCsv(dataDir, '2024-05', [portalRow('M1'), portalRow('M2', { agency: 'H99.04', proc: '1.000002' })]);
    await writeMonthCsv(dataDir, '2024-06', [portalRow('J1', { received: '03/06/2024 08:15', due: '10/06/2024 17:00', finished: '07/06/2024 10:00', updated: '07/06/2024 10:00' })]);
    const lake = newLake();
    await landRegistry(lake);
    const token = 'tok-pull-times';
    const portal = await startPortal({ dataDir, token, port: 0 });
    const ctx = localContext({ lakeDir: lake.root, workDir: lake.work, portal: { baseUrl: portal.url } });
    const land = () => landStaged({ storage: lake.storage, workDir: lake.work, maxTimestamp: MAX_TS });
    const daily = async (at: string, from: string, to: string) => {
      vi.setSystemTime(new Date(at));
      const pulled = await pullPortal(ctx, { from, to, token });
      await land();
      return pulled;
    };
    const juneAfterEnd = async () => JSON.parse((await lake.storage.get('state/portal-dossiers.json')).toString('utf8'))['2024-06'].afterEnd;
    try {
      vi.useFakeTimers({ toFake: ['Date'] });
      // 01:00 on 30/06 in Vietnam: the daily run pulls May and the month running.
      expect(await daily('2024-06-29T18:00:00Z', '2024-05', '2024-06')).toMatchObject({ staged: 2 });
      expect(await juneAfterEnd()).toEqual([false]);
      // 01:00 on 01/07: June is over and nothing changed on its last day (July's first page is new). Asked for without its ETag, June's page
      // comes back whole, byte for byte the one landed: recorded as June's delivery after its end.
      expect(await daily('2024-06-30T18:00:00Z', '2024-06', '2024-07')).toMatchObject({ staged: 1, alreadyLanded: 1, unchanged: 0 });
      expect(await juneAfterEnd()).toEqual([true]);
      const deliveries = await lake.storage.listKeys('manifest/deliveries/');
      expect(deliveries).toEqual([expect.stringMatching(/^manifest\/deliveries\/portal-api\/2024-06\/[0-9a-f]{64}-[0-9a-f]{16}\.json$/)]);
      // 02:00 on 02/07, the monthly run: June's and July's pages are answered 304, and nothing more is written.
      const before = await lake.storage.listKeys('manifest/');
      expect(await daily('2024-07-01T19:00:00Z', '2024-06', '2024-07')).toMatchObject({ staged: 0, alreadyLanded: 0, unchanged: 2 });
      expect(await lake.storage.listKeys('manifest/')).toEqual(before);
      expect((await snapshot(ctx, { period: '2024-06', now: new Date('2024-07-01T19:00:00Z') })).published).toBe(true);
    } finally {
      vi.useRealTimers();
      await portal.close();
    }
  });
});

describe('a pull after a month ended that stops before its last page', () => {
  test("should refuse the month's snapshot until a pull has handed over every page of it after its end", async () => {
    const dataDir = await tempDataDir();
    const june = (id: string, day: string) => portalRow(id, { received: `${day}/06/2024 08:15`, due: '28/06/2024 17:00', finished: `${day}/06/2024 10:00`, updated: `${day}/06/2024 10:00` });
    await writeMonthCsv(dataDir, '2024-06', [june('P1', '03'), june('P2', '04'), june('P3', '05')]);
    const lake = newLake();
    await landRegistry(lake);
    const token = 'tok-pages';
    const portal = await startPortal({ dataDir, token, port: 0 });
    const ctx = localContext({ lakeDir: lake.root, workDir: lake.work, portal: { baseUrl: portal.url, pageSize: 1 } });
    // The lake's store fails on the second page it writes for the portal (the page's bytes or its delivery record): the run stops there.
    let pageWrites = 0;
    const failing: Storage = Object.create(lake.storage, {
      put: {
        value: async (key: string, body: Buffer | string, options?: PutOptions) => {
          if (/^(raw|manifest\/deliveries)\/portal-api\//.test(key) && !key.endsWith('.meta.json') && ++pageWrites === 2) throw new Error('disk full');
          return lake.storage.put(key, body, options);
        },
      },
    });
    const land = () => landStaged({ storage: lake.storage, workDir: lake.work, maxTimestamp: MAX_TS });
    const refused = () => expect(snapshot(ctx, { period: '2024-06', now: new Date('2024-07-01T19:00:00Z') })).rejects.toThrow(/the pull of portal for 2024-06 after the month ended stopped before the month's last page/);
    try {
      vi.useFakeTimers({ toFake: ['Date'] });
      // On 30/06 the daily run pulls June's three pages (one dossier each).
      vi.setSystemTime(new Date('2024-06-29T18:00:00Z'));
      expect(await pullPortal(ctx, { from: '2024-06', to: '2024-06', token })).toMatchObject({ staged: 3 });
      await land();
      // On 01/07 June is asked for again, page 1 is recorded as after the end, and the store fails on page 2.
      vi.setSystemTime(new Date('2024-06-30T18:00:00Z'));
      await expect(pullPortal({ ...ctx, storage: failing }, { from: '2024-06', to: '2024-06', token })).rejects.toThrow(/disk full/);
      const delivered = await lake.storage.listKeys('manifest/deliveries/portal-api/2024-06/');
      expect(delivered).toHaveLength(1);
      expect(JSON.parse((await lake.storage.get(delivered[0]!)).toString('utf8'))).toMatchObject({ page: 1, pages: 3 });
      await refused();
      // The next run pulls June again: the pages last handed over before its end come whole, and June is confirmed.
      vi.setSystemTime(new Date('2024-07-01T18:00:00Z'));
      expect(await pullPortal(ctx, { from: '2024-06', to: '2024-06', token })).toMatchObject({ alreadyLanded: 2, unchanged: 1 });
      expect(await lake.storage.listKeys('manifest/deliveries/portal-api/2024-06/')).toHaveLength(3);
      expect((await snapshot(ctx, { period: '2024-06', now: new Date('2024-07-01T19:00:00Z') })).published).toBe(true);
    } finally {
      vi.useRealTimers();
      await portal.close();
    }
  });
});

describe('a drop folder staged again after a month ended', () => {
  test("should judge a file by when it was written there, not by when it was staged again, until the month is exported again", async () => {
    const lake = newLake();
    await landRegistry(lake);
    const drop = path.join(lake.tmp, 'drop');
    const file = path.join(drop, 'portal', 'dossiers', '2024-05.csv');
    await mkdir(path.dirname(file), { recursive: true });
    const write = async (at: string) => {
      await writeFile(file, `${PORTAL_HEADER}\r\n${portalRow('X1')}\r\n`);
      await utimes(file, new Date(at), new Date(at));
    };
    const ctx = demoContext(lake.root, lake.work);
    const ingest = async (at: string) => {
      vi.setSystemTime(new Date(at));
      await ingestDropDir(ctx, { dir: drop, include: ['portal-csv'] });
      await landStaged({ storage: lake.storage, workDir: lake.work, maxTimestamp: MAX_TS });
    };
    const mayRefused = () => expect(snapshot(ctx, { period: '2024-05', now: new Date('2024-06-02T00:00:00Z') })).rejects.toThrow(/the only dossier files from portal for 2024-05 were made before the month ended/);
    try {
      vi.useFakeTimers({ toFake: ['Date'] });
      // Exported and staged on 20/05.
      await write('2024-05-20T03:00:00Z');
      await ingest('2024-05-20T04:00:00Z');
      await mayRefused();
      // The next run on 02/06 reads the same folder: the file is still the one written on 20/05.
      await ingest('2024-06-02T00:00:00Z');
      expect(await lake.storage.listKeys('manifest/deliveries/')).toEqual([]);
      await mayRefused();
      // Exported again after May ended, byte for byte the same: May is confirmed.
      await write('2024-06-01T01:00:00Z');
      await ingest('2024-06-02T01:00:00Z');
      expect(await lake.storage.listKeys('manifest/deliveries/')).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
    expect((await snapshot(ctx, { period: '2024-05', now: new Date('2024-06-02T00:00:00Z') })).published).toBe(true);
  });
});
