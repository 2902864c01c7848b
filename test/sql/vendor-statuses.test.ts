/**
 * How the vendor statuses and dates count in the marts (docs/data-contracts.md §4.8), on the fixture lake
 * plus a second dossier file per partition carrying the vendor columns. Eight dossiers at H99.05, in
 * person, received in January 2025 (period end 31/01):
 *   V1 CHUA_TIEP_NHAN (submitted, not received)        → not counted
 *   V2 TU_CHOI_TIEP_NHAN (refused at intake)            → not counted
 *   V3 DA_TRA_KET_QUA, soft-deleted 16/01                → not counted (in a snapshot of 15/01, counted: not deleted yet)
 *   V4 DA_XU_LY, due 20/01, finished 15/01, not returned → resolved early (on its processing end)
 *   V5 DUNG_XU_LY (stopped), due 10/01                   → pending, overdue on 31/01 (a pause does not stop the clock)
 *   V6 DANG_XU_LY, no due date                           → pending, in time
 *   V7 DA_TRA_KET_QUA, no due date, finished 25/01       → resolved on time
 *   V8 DA_TRA_KET_QUA, result "returned" (TRA_LAI), finished 14/01, due 20/01 → resolved early, and refused
 *   V9 TU_CHOI_TIEP_NHAN, submitted online 30/01, refused at intake 03/02 → not counted, nor in a snapshot of 31/01
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DuckDbEngine } from '../../functions/core/engine/duckdb-engine.js';
import { SQL_DIR } from '../../functions/core/lake/landing-sql.js';
import { LocalStorage } from '../../functions/core/storage/local.js';
import { registerAsOfSources } from '../../functions/core/transform/asof.js';
import { loadModels, runModels } from '../../functions/core/transform/index.js';
import { runFixture, type FixtureRun } from './helpers.js';

const f = 'false,false,false,false,false,false';
const VENDOR = `
  ('V1','portal','1.000001','H99.05',2,'2025-01-10 09:00:00','2025-01-20 17:00:00',NULL,'CHUA_TIEP_NHAN',0,${f},'2025-01-10 09:00:00','hv',NULL,NULL,NULL,NULL,NULL,NULL),
  ('V2','portal','1.000001','H99.05',1,'2025-01-11 09:00:00','2025-01-20 17:00:00','2025-01-11 10:00:00','TU_CHOI_TIEP_NHAN',0,${f},'2025-01-11 10:00:00','hv',NULL,NULL,NULL,NULL,NULL,NULL),
  ('V3','portal','1.000001','H99.05',1,'2025-01-11 09:00:00','2025-01-20 17:00:00','2025-01-15 10:00:00','DA_TRA_KET_QUA',0,${f},'2025-01-16 10:00:00','hv','2025-01-15 11:00:00',NULL,NULL,NULL,'KET_QUA','2025-01-16 10:00:00'),
  ('V4','portal','1.000001','H99.05',1,'2025-01-12 09:00:00','2025-01-20 17:00:00','2025-01-15 10:00:00','DA_XU_LY',0,${f},'2025-01-15 10:00:00','hv',NULL,NULL,NULL,NULL,NULL,NULL),
  ('V5','portal','1.000001','H99.05',1,'2025-01-05 09:00:00','2025-01-10 17:00:00',NULL,'DUNG_XU_LY',0,${f},'2025-01-06 10:00:00','hv',NULL,NULL,NULL,NULL,NULL,NULL),
  ('V6','portal','1.000001','H99.05',1,'2025-01-06 09:00:00',NULL,NULL,'DANG_XU_LY',0,${f},'2025-01-06 09:00:00','hv',NULL,NULL,NULL,NULL,NULL,NULL),
  ('V7','portal','1.000001','H99.05',1,'2025-01-07 09:00:00',NULL,'2025-01-25 10:00:00','DA_TRA_KET_QUA',0,${f},'2025-01-25 10:00:00','hv','2025-01-25 10:00:00',NULL,NULL,NULL,'KET_QUA',NULL),
  ('V8','portal','1.000001','H99.05',1,'2025-01-08 09:00:00','2025-01-20 17:00:00','2025-01-14 10:00:00','DA_TRA_KET_QUA',0,${f},'2025-01-14 10:00:00','hv','2025-01-14 10:00:00',NULL,NULL,NULL,'TRA_LAI',NULL),
  ('V9','portal','1.000001','H99.05',2,'2025-01-30 16:00:00','2025-02-10 17:00:00','2025-02-03 09:00:00','TU_CHOI_TIEP_NHAN',0,${f},'2025-02-03 09:00:00','hv',NULL,NULL,NULL,NULL,NULL,NULL)`;

let base: FixtureRun;
let run: FixtureRun;
beforeAll(async () => {
  base = await runFixture();
  run = await runFixture({ vendorDossiers: VENDOR });
}, 120_000);
afterAll(async () => {
  await base?.dispose();
  await run?.dispose();
});

const C = `received_total AS c3, received_online AS c4, received_offline AS c5, received_carried_over AS c6,
  resolved_total AS c7, resolved_early AS c8, resolved_on_time AS c9, resolved_late AS c10,
  pending_total AS c11, pending_in_time AS c12, pending_overdue AS c13, resolved_refused AS refused`;

async function jan(r: FixtureRun): Promise<number[]> {
  const rows = await r.rows(`SELECT ${C} FROM agency_periods WHERE agency_code = 'H99.05' AND period_type = 'month' AND year = 2025 AND period_no = 1`);
  expect(rows).toHaveLength(1);
  return Object.values(rows[0]!).map(Number);
}

describe('vendor statuses and dates in the marts', () => {
  test('should count the received vendor dossiers by their dates and leave out the never-received and the soft-deleted', async () => {
    const before = await jan(base);
    const after = await jan(run);
    //                                         c3 c4 c5 c6 c7 c8 c9 c10 c11 c12 c13 refused
    expect(after.map((v, i) => v - before[i]!)).toEqual([5, 0, 5, 0, 3, 2, 1, 0, 2, 1, 1, 1]);
  });

  test('should classify each dossier once in int_dossiers_classified', async () => {
    const rows = await run.rows(
      `SELECT dossier_id, resolution_class, is_paused, is_refused, has_apology_letter FROM int_dossiers_classified WHERE dossier_id LIKE 'V%' ORDER BY dossier_id`,
    );
    expect(rows).toEqual([
      { dossier_id: 'V4', resolution_class: 'early', is_paused: false, is_refused: false, has_apology_letter: false },
      { dossier_id: 'V5', resolution_class: null, is_paused: true, is_refused: false, has_apology_letter: false },
      { dossier_id: 'V6', resolution_class: null, is_paused: false, is_refused: false, has_apology_letter: false },
      { dossier_id: 'V7', resolution_class: 'on_time', is_paused: false, is_refused: false, has_apology_letter: false },
      { dossier_id: 'V8', resolution_class: 'early', is_paused: false, is_refused: true, has_apology_letter: false },
    ]);
  });

  test('should count the same in procedure_years as in agency_periods (received, resolved, on time)', async () => {
    const q = (r: FixtureRun) => r.rows(`SELECT received_total, resolved_total, resolved_on_time FROM procedure_years WHERE procedure_code = '1.000001' AND year = 2025`);
    const [b] = await q(base);
    const [a] = await q(run);
    expect([Number(a!.received_total) - Number(b!.received_total), Number(a!.resolved_total) - Number(b!.resolved_total), Number(a!.resolved_on_time) - Number(b!.resolved_on_time)]).toEqual([5, 3, 1]);
  });

  test('should count a dossier soft-deleted after a snapshot date in that snapshot, as the reports of the date counted it', async () => {
    // V3: received 11/01, result handed over 15/01, soft-deleted 16/01. Live, it is counted nowhere; in a snapshot of
    // 15/01 it is a resolved dossier (not deleted yet); in one of 16/01 it is deleted.
    const engine = await DuckDbEngine.create({ lakeRoot: run.lake, writeParquet: false, duckdb: { threads: 1 } });
    try {
      const v3 = async (asOf: string) => {
        await registerAsOfSources(engine, new LocalStorage(run.lake), asOf, SQL_DIR);
        return engine.query(`SELECT status, deleted_at IS NULL AS live FROM src_dossiers WHERE dossier_id = 'V3'`);
      };
      expect(await v3('2025-01-16')).toEqual([{ status: 'DA_TRA_KET_QUA', live: false }]);
      expect(await v3('2025-01-15')).toEqual([{ status: 'DA_TRA_KET_QUA', live: true }]);
      await runModels(engine, loadModels(SQL_DIR));
      const classified = await engine.query(`SELECT dossier_id FROM int_dossiers_classified WHERE dossier_id IN ('V3', 'V4') ORDER BY dossier_id`);
      expect(classified.map((r) => r.dossier_id)).toEqual(['V3', 'V4']);
    } finally {
      await engine.close();
    }
  });

  test('should keep a dossier refused at intake after a snapshot date out of that snapshot: on the date it was not yet received', async () => {
    // The as-of views of a snapshot of January (sql/snapshots/as_of/): V9, refused on 03/02, was submitted and
    // waiting for intake on 31/01, not a received dossier being processed; V8, finished 14/01, is unchanged.
    const engine = await DuckDbEngine.create({ lakeRoot: run.lake, writeParquet: false, duckdb: { threads: 1 } });
    try {
      await registerAsOfSources(engine, new LocalStorage(run.lake), '2025-01-31', SQL_DIR);
      const asOf = await engine.query(`SELECT dossier_id, status, finished_at IS NULL AS open FROM src_dossiers WHERE dossier_id IN ('V8', 'V9') ORDER BY dossier_id`);
      expect(asOf).toEqual([
        { dossier_id: 'V8', status: 'DA_TRA_KET_QUA', open: false },
        { dossier_id: 'V9', status: 'CHUA_TIEP_NHAN', open: true },
      ]);
      await runModels(engine, loadModels(SQL_DIR));
      const classified = await engine.query(`SELECT dossier_id FROM int_dossiers_classified WHERE dossier_id LIKE 'V%' ORDER BY dossier_id`);
      expect(classified.map((r) => r.dossier_id)).toEqual(['V4', 'V5', 'V6', 'V7', 'V8']);
    } finally {
      await engine.close();
    }
  });
});
