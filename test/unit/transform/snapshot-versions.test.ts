/**
 * The dossiers a snapshot sees are the versions known on its date (sql/snapshots/as_of/src_dossiers.sql):
 * a correction landed after the month (another agency, an earlier due date) changes no snapshot of that
 * month, whenever it is built; a dossier whose every version is later reads as its earliest.
 */
import { describe, expect, test } from 'vitest';
import { DuckDbEngine } from '../../../functions/core/engine/duckdb-engine.js';
import { SQL_DIR } from '../../../functions/core/lake/landing-sql.js';
import { landStaged, RejectedFilesError } from '../../../functions/core/lake/land.js';
import { deliveryKey, discardRejected, rawKey, sha256, stageRaw } from '../../../functions/core/lake/raw.js';
import { runAll, snapshot } from '../../../functions/core/pipeline.js';
import { listSnapshots } from '../../../functions/core/transform/snapshot.js';
import { registerAsOfSources } from '../../../functions/core/transform/asof.js';
import { demoContext } from '../../helpers/demo-lake.js';
import { PORTAL_HEADER, portalRow } from '../../fixtures/bad/make.js';
import { lakeFactory, landRegistry, MAX_TS, type TestLake } from '../../reliability/lakes.js';

const newLake = lakeFactory('snapshot-versions');
const csv = (...rows: string[]): Buffer => Buffer.from(`${PORTAL_HEADER}\r\n${rows.join('\r\n')}\r\n`);

// May 2024. X1: on time at H99.01 as exported on 09/05; X2: never corrected; X3: first exported in June.
const MAY = csv(
  portalRow('X1'),
  portalRow('X2'),
  portalRow('X3', { received: '04/05/2024 08:00', finished: '', status: 'DANG_XU_LY', updated: '10/06/2024 09:00' }),
);
// Corrections pulled in late June: X1 moved to H99.04 with an earlier due date (late, then), X3 to H99.04.
const FIX = csv(
  portalRow('X1', { agency: 'H99.04', due: '08/05/2024 17:00', updated: '20/06/2024 10:00' }),
  portalRow('X3', { agency: 'H99.04', received: '04/05/2024 08:00', finished: '', status: 'DANG_XU_LY', updated: '20/06/2024 10:00' }),
);

async function stage(lake: TestLake, name: string, bytes: Buffer, pulledAt: string): Promise<void> {
  await stageRaw(lake.storage, { kind: 'portal-csv', bytes, period: '2024-05', originalName: name, pulledAt });
  await landStaged({ storage: lake.storage, workDir: lake.work, maxTimestamp: MAX_TS });
}

async function asOf(lake: TestLake, date: string): Promise<Record<string, unknown>[]> {
  const engine = await DuckDbEngine.create({ lakeRoot: lake.root, writeParquet: false, duckdb: { threads: 1 } });
  try {
    await registerAsOfSources(engine, lake.storage, date, SQL_DIR);
    return await engine.query(
      `SELECT dossier_id, agency_code, CAST(due_at AS VARCHAR) AS due_at, CAST(updated_at AS VARCHAR) AS updated_at, status, raw_hash, raw_row FROM src_dossiers ORDER BY dossier_id`,
    );
  } finally {
    await engine.close();
  }
}

describe('the dossiers of a snapshot given versions corrected after its month', () => {
  test('should read each dossier as known on the date, the same before and after a later correction lands', async () => {
    const lake = newLake();
    await landRegistry(lake);
    await stage(lake, 'may.csv', MAY, '2024-06-01T00:00:00.000Z');
    const before = await asOf(lake, '2024-05-31');
    await stage(lake, 'may-fix.csv', FIX, '2024-06-25T00:00:00.000Z');
    const after = await asOf(lake, '2024-05-31');
    expect(after).toEqual(before);
    const pick = (rows: Record<string, unknown>[]) => rows.map((r) => [r.dossier_id, r.agency_code, r.due_at, r.updated_at]);
    expect(pick(after)).toEqual([
      ['X1', 'H99.01', '2024-05-10 17:00:00', '2024-05-09 10:00:00'],
      ['X2', 'H99.01', '2024-05-10 17:00:00', '2024-05-09 10:00:00'],
      // every version of X3 was updated after 31/05: its earliest, updated_at capped at the date's last second
      ['X3', 'H99.01', '2024-05-10 17:00:00', '2024-05-31 23:59:59'],
    ]);
    // A month later the corrections were known.
    expect(pick(await asOf(lake, '2024-06-30'))).toEqual([
      ['X1', 'H99.04', '2024-05-08 17:00:00', '2024-06-20 10:00:00'],
      ['X2', 'H99.01', '2024-05-10 17:00:00', '2024-05-09 10:00:00'],
      ['X3', 'H99.04', '2024-05-10 17:00:00', '2024-06-20 10:00:00'],
    ]);
  });
});

describe('a snapshot of a month that has not ended', () => {
  test('should be refused until the month is over in Vietnam, since a published snapshot is never rewritten', async () => {
    const lake = newLake();
    await landRegistry(lake);
    await stage(lake, 'may.csv', MAY, '2024-06-01T00:00:00.000Z');
    const ctx = demoContext(lake.root, lake.work);
    // 31/05/2024 23:59 in Asia/Ho_Chi_Minh: May is still running.
    await expect(snapshot(ctx, { period: '2024-05', now: new Date('2024-05-31T16:59:00Z') })).rejects.toThrow(/Failed to snapshot 2024-05: the month has not ended \(today is in 5\/2024/);
    await expect(snapshot(ctx, { period: '2024-07', now: new Date('2024-06-01T00:00:00Z') })).rejects.toThrow(/has not ended/);
    expect(await lake.storage.listKeys('snapshots/')).toEqual([]);
    // From 00:00 on 01/06 there: built and published.
    expect((await snapshot(ctx, { period: '2024-05', now: new Date('2024-05-31T17:00:00Z') })).published).toBe(true);
  });
});

describe('a snapshot of a month a dossier source has not delivered', () => {
  const JUNE = csv(portalRow('J1', { received: '03/06/2024 08:15', due: '10/06/2024 17:00', finished: '07/06/2024 10:00', updated: '07/06/2024 10:00' }));
  const manifestOf = async (lake: TestLake, period: string) => JSON.parse((await lake.storage.get(`snapshots/${period}/manifest.json`)).toString('utf8'));
  const land = async (lake: TestLake, bytes: Buffer, period: string, pulledAt: string) => {
    await stageRaw(lake.storage, { kind: 'portal-csv', bytes, period, originalName: `${period}.csv`, pulledAt });
    // A file the land rejects is recorded, the land throws after landing the rest.
    await landStaged({ storage: lake.storage, workDir: lake.work, maxTimestamp: MAX_TS }).catch((err: unknown) => {
      if (!(err instanceof RejectedFilesError)) throw err;
    });
  };

  test('should be refused, naming the source and the month, until the month lands or the operator lets it be frozen without it', async () => {
    const lake = newLake();
    await landRegistry(lake);
    await stage(lake, 'may.csv', MAY, '2024-06-01T00:00:00.000Z');
    const ctx = demoContext(lake.root, lake.work);
    const now = new Date('2024-10-01T00:00:00Z');
    await expect(snapshot(ctx, { period: '2024-06', now })).rejects.toThrow(
      /Failed to snapshot 2024-06: no dossier file has landed from portal for 2024-06; .*--allow-missing portal where those months are lost, or --source-ended portal where a source has ended/,
    );
    expect(await lake.storage.listKeys('snapshots/')).toEqual([]);
    // The month the source began with is not waiting for anything.
    expect((await snapshot(ctx, { period: '2024-05', now })).published).toBe(true);
    expect((await manifestOf(lake, '2024-05')).missing_sources).toBeUndefined();

    // June's export lands: June is frozen, complete.
    await land(lake, JUNE, '2024-06', '2024-07-01T00:00:00.000Z');
    expect((await snapshot(ctx, { period: '2024-06', now })).published).toBe(true);
    expect((await manifestOf(lake, '2024-06')).missing_sources).toBeUndefined();

    // A source the lake does not have is a typo, not a no-op.
    await expect(snapshot(ctx, { period: '2024-07', now, allowMissing: ['nsw'] })).rejects.toThrow(/"nsw" is not a dossier source of this lake \(its sources: portal\)/);
    // July's export is lost: frozen only when the operator names the source, and the manifest says so.
    expect((await snapshot(ctx, { period: '2024-07', now, allowMissing: ['portal'] })).published).toBe(true);
    expect((await manifestOf(lake, '2024-07')).missing_sources).toEqual([{ source: 'portal', months: ['2024-07'], cause: 'allowed' }]);
    // August is late, not lost: refused, though July was allowed.
    await expect(snapshot(ctx, { period: '2024-08', now })).rejects.toThrow(/from portal for 2024-08;/);
    // The feed has ended (since its last file, June): said once, and September goes without it too.
    expect((await snapshot(ctx, { period: '2024-08', now, endedSources: ['portal'] })).published).toBe(true);
    expect((await snapshot(ctx, { period: '2024-09', now })).published).toBe(true);
    expect((await manifestOf(lake, '2024-09')).missing_sources).toEqual([{ source: 'portal', months: ['2024-07', '2024-08', '2024-09'], cause: 'ended', since: '2024-07' }]);
  });

  test('should count a month whose file is byte for byte one landed for another month (a header-only export), and write nothing on a rerun', async () => {
    const lake = newLake();
    await landRegistry(lake);
    await stage(lake, 'may.csv', MAY, '2024-06-01T00:00:00.000Z');
    const ctx = demoContext(lake.root, lake.work);
    const now = new Date('2024-09-01T00:00:00Z');
    const EMPTY = csv();
    // A staging cut between the bytes and their sidecar, then run again: the sidecar, no delivery.
    await lake.storage.put(rawKey('portal-csv', sha256(EMPTY)), EMPTY);
    await land(lake, EMPTY, '2024-06', '2024-07-01T00:00:00.000Z');
    expect(await lake.storage.listKeys('manifest/deliveries/')).toEqual([]);
    await land(lake, EMPTY, '2024-07', '2024-08-01T00:00:00.000Z');
    expect(await lake.storage.listKeys('manifest/deliveries/')).toHaveLength(1);
    await land(lake, EMPTY, '2024-07', '2024-08-02T00:00:00.000Z');
    await land(lake, EMPTY, '2024-06', '2024-08-02T00:00:00.000Z');
    expect(await lake.storage.listKeys('manifest/deliveries/')).toHaveLength(1);
    expect((await snapshot(ctx, { period: '2024-07', now })).published).toBe(true);
    expect((await manifestOf(lake, '2024-07')).missing_sources).toBeUndefined();
  });

  test('should refuse a month whose only export was pulled before it ended, until the month comes again after (the same bytes too), and write nothing on a rerun', async () => {
    const lake = newLake();
    await landRegistry(lake);
    await stage(lake, 'may.csv', MAY, '2024-06-01T00:00:00.000Z');
    const ctx = demoContext(lake.root, lake.work);
    const now = new Date('2024-09-01T00:00:00Z');
    // June pulled at 23:59 on 30/06 in Vietnam (the daily pull of the month running): landed, but not June's whole month.
    await land(lake, JUNE, '2024-06', '2024-06-30T16:59:00.000Z');
    await expect(snapshot(ctx, { period: '2024-06', now })).rejects.toThrow(
      /Failed to snapshot 2024-06: the only dossier files from portal for 2024-06 were made before the month ended \(Asia\/Ho_Chi_Minh; pulled, or written into the drop: a file's modification time\), so they cannot hold its last days .*--allow-missing portal/,
    );
    // The same bytes pulled again before the end say nothing new; at 00:00 on 01/07 there they confirm the month.
    await land(lake, JUNE, '2024-06', '2024-06-30T16:59:59.000Z');
    expect(await lake.storage.listKeys('manifest/deliveries/')).toEqual([]);
    await land(lake, JUNE, '2024-06', '2024-06-30T17:00:00.000Z');
    expect(await lake.storage.listKeys('manifest/deliveries/')).toEqual([deliveryKey('portal-csv', '2024-06', sha256(JUNE), '2024-06.csv')]);
    const before = await lake.storage.listKeys('');
    await land(lake, JUNE, '2024-06', '2024-07-02T00:00:00.000Z');
    expect(await lake.storage.listKeys('')).toEqual(before);
    expect((await snapshot(ctx, { period: '2024-06', now })).published).toBe(true);
    expect((await manifestOf(lake, '2024-06')).missing_sources).toBeUndefined();
  });

  test('should record no delivery for a month still running, so the same bytes sent again after its end count', async () => {
    const lake = newLake();
    await landRegistry(lake);
    await stage(lake, 'may.csv', MAY, '2024-06-01T00:00:00.000Z');
    const ctx = demoContext(lake.root, lake.work);
    const EMPTY = csv();
    await land(lake, EMPTY, '2024-06', '2024-07-01T00:00:00.000Z');
    // A unit's header-only July export sent on 28/07: nothing recorded (it would hold July's key for good).
    await land(lake, EMPTY, '2024-07', '2024-07-28T00:00:00.000Z');
    expect(await lake.storage.listKeys('manifest/deliveries/')).toEqual([]);
    await expect(snapshot(ctx, { period: '2024-07', now: new Date('2024-09-01T00:00:00Z') })).rejects.toThrow(/no dossier file has landed from portal for 2024-07;/);
    await land(lake, EMPTY, '2024-07', '2024-08-02T00:00:00.000Z');
    expect(await lake.storage.listKeys('manifest/deliveries/')).toEqual([deliveryKey('portal-csv', '2024-07', sha256(EMPTY), '2024-07.csv')]);
    expect((await snapshot(ctx, { period: '2024-07', now: new Date('2024-09-01T00:00:00Z') })).published).toBe(true);
    // A delivery from before its month ended, as an older version wrote them (under a key without the name),
    // does not hold the key of the one after.
    const early = { kind: 'portal-csv', sha256: sha256(EMPTY), bytes: EMPTY.length, period: '2024-08', original_name: '2024-08.csv', pulled_at: '2024-08-20T00:00:00.000Z', as_of: null };
    await lake.storage.put(`manifest/deliveries/portal-csv/2024-08/${sha256(EMPTY)}.json`, JSON.stringify(early));
    const now = new Date('2024-10-01T00:00:00Z');
    await expect(snapshot(ctx, { period: '2024-08', now })).rejects.toThrow(/from portal for 2024-08 were made before the month ended/);
    await land(lake, EMPTY, '2024-08', '2024-09-02T00:00:00.000Z');
    const august = deliveryKey('portal-csv', '2024-08', sha256(EMPTY), '2024-08.csv');
    expect(JSON.parse((await lake.storage.get(august)).toString('utf8'))).toMatchObject({ period: '2024-08', pulled_at: '2024-09-02T00:00:00.000Z' });
    const keys = await lake.storage.listKeys('manifest/deliveries/');
    await land(lake, EMPTY, '2024-08', '2024-09-03T00:00:00.000Z');
    expect(await lake.storage.listKeys('manifest/deliveries/')).toEqual(keys);
    expect((await snapshot(ctx, { period: '2024-08', now })).published).toBe(true);
  });

  test('should not count for a month the bytes of a file with dossiers dropped again under its name, and give up every month of discarded bytes', async () => {
    const lake = newLake();
    await landRegistry(lake);
    await stage(lake, 'may.csv', MAY, '2024-06-01T00:00:00.000Z');
    const ctx = demoContext(lake.root, lake.work);
    const now = new Date('2024-09-01T00:00:00Z');
    // May's export copied as June's: its dossiers are May's, June is still missing.
    await land(lake, MAY, '2024-06', '2024-07-01T00:00:00.000Z');
    await expect(snapshot(ctx, { period: '2024-06', now })).rejects.toThrow(/from portal for 2024-06;/);
    // One unreadable file dropped for June and for July, then discarded: both months given up.
    const BAD = Buffer.from('Mã hồ sơ;Ngày\r\nX9;01/06/2024\r\n');
    await land(lake, BAD, '2024-06', '2024-07-01T00:00:00.000Z');
    await land(lake, BAD, '2024-07', '2024-08-01T00:00:00.000Z');
    await discardRejected(lake.storage, '2024-06.csv');
    expect((await snapshot(ctx, { period: '2024-07', now })).published).toBe(true);
    expect((await manifestOf(lake, '2024-07')).missing_sources).toEqual([{ source: 'portal', months: ['2024-06', '2024-07'], cause: 'discarded' }]);
  });

  test('should be left unpublished by a run, which publishes the other months, verifies the lake and then fails naming the source', async () => {
    const lake = newLake();
    await landRegistry(lake);
    await stage(lake, 'may.csv', MAY, '2024-06-01T00:00:00.000Z');
    const ctx = demoContext(lake.root, lake.work);
    await expect(runAll(ctx, { snapshots: ['2024-05', '2024-06'] })).rejects.toThrow(
      /\[run\] Failed to snapshot 2024-06: no dossier file has landed from portal for 2024-06; .*Everything else ran/,
    );
    expect(await listSnapshots(lake.storage)).toEqual(['2024-05']);
  });
});
