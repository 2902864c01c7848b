/**
 * Biểu 06 c12/c13 (pending in time / overdue) and the supplement wait (docs/data-contracts.md §4.2):
 * a pending dossier is overdue at a period end E when E − supplement_days > due date, the same
 * comparison a resolution makes with the finish date. Two dossiers are added to the fixture lake at
 * H99.05, both in person and pending on 31/01/2025:
 *   D20 received 20/01, due 28/01, waited 10 days, finished 05/02 → 05/02 − 10 = 26/01 < 28/01: early.
 *       On 31/01: 31/01 − 10 = 21/01 ≤ 28/01 → in time. (Reading the due date alone: overdue.)
 *   D21 received 10/01, due 20/01, waited 5 days, finished 10/02 → 05/02 > 20/01: late.
 *       On 31/01: 26/01 > 20/01 → overdue under either reading.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runFixture, type FixtureRun } from './helpers.js';

const EXTRA = `
  ('D20','portal','1.000001','H99.05',1,'2025-01-20 09:00:00','2025-01-28 17:00:00','2025-02-05 10:00:00','DA_TRA_KET_QUA',10,false,false,true ,false,true ,false,'2025-02-05 10:00:00','h1'),
  ('D21','portal','1.000001','H99.05',1,'2025-01-10 09:00:00','2025-01-20 17:00:00','2025-02-10 10:00:00','DA_TRA_KET_QUA',5,false,false,true ,false,true ,false,'2025-02-10 10:00:00','h1')`;

let run: FixtureRun;
beforeAll(async () => {
  run = await runFixture({ extraDossiers: EXTRA });
});
afterAll(async () => {
  await run?.dispose();
});

const C = `received_total AS c3, received_online AS c4, received_offline AS c5, received_carried_over AS c6,
  resolved_total AS c7, resolved_early AS c8, resolved_on_time AS c9, resolved_late AS c10,
  pending_total AS c11, pending_in_time AS c12, pending_overdue AS c13`;

async function cols(type: string, no: number): Promise<number[]> {
  const rows = await run.rows(`SELECT ${C} FROM agency_periods WHERE agency_code = 'H99.05' AND period_type = '${type}' AND year = 2025 AND period_no = ${no}`);
  expect(rows).toHaveLength(1);
  return Object.values(rows[0]!).map(Number);
}

describe('pending in time or overdue with a supplement wait', () => {
  test('should count a dossier that waited for supplements and finished on time as in time at the end of the earlier month', async () => {
    // Fixture January (c11 = 1: NSW-D05, in time) + D20 (in time) + D21 (overdue).
    //                                 c3 c4 c5 c6 c7 c8 c9 c10 c11 c12 c13
    expect(await cols('month', 1)).toEqual([7, 1, 5, 1, 4, 1, 2, 1, 3, 2, 1]);
    // February resolves both: D20 early, D21 late.
    expect(await cols('month', 2)).toEqual([4, 1, 0, 3, 3, 1, 1, 1, 1, 0, 1]);
  });

  test('should flag D20 in time and D21 overdue on 31/01 and classify their resolutions alike', async () => {
    const rows = await run.rows(
      `SELECT a.dossier_id, a.is_pending_overdue, c.resolution_class
       FROM int_dossiers_attributed AS a JOIN int_dossiers_classified AS c ON c.dossier_id = a.dossier_id
       WHERE a.dossier_id IN ('D20', 'D21') AND a.period_type = 'month' AND a.year = 2025 AND a.period_no = 1 ORDER BY a.dossier_id`,
    );
    expect(rows).toEqual([
      { dossier_id: 'D20', is_pending_overdue: false, resolution_class: 'early' },
      { dossier_id: 'D21', is_pending_overdue: true, resolution_class: 'late' },
    ]);
  });

  test('should never count overdue, at any earlier period end, a dossier later resolved early or on time', async () => {
    const [r] = await run.rows(
      `SELECT count(*) AS n FROM int_dossiers_attributed AS a JOIN int_dossiers_classified AS c ON c.dossier_id = a.dossier_id
       WHERE a.is_pending_overdue AND c.resolution_class IN ('early', 'on_time')`,
    );
    expect(r!.n).toBe(0);
  });
});
