/**
 * The readers of int_dossiers_classified read one year of receipt and the small tables beside it
 * (docs/architecture.md, "Incremental models"): int_dossiers_carried_over (the dossiers not finished in
 * their year of receipt) and int_dossier_receipt_years (one row per year of receipt). Each reader must
 * give what a reading of every dossier gives; the references below are those readings, straight from
 * int_dossiers_classified. Four dossiers are added to the fixture lake (2024-12 … 2025-04) at H99.05:
 *   X1 received 20/12/2023, finished 05/01/2024: carried over into 2024, finished there.
 *   X2 received 10/06/2023, still pending (due 10/07/2023): carried over into 2024 and 2025, overdue.
 *   X3 received 01/03/2024, finished 05/03/2024: within its year of receipt, not carried over.
 *   X4 received 20/11/2024, pending, due 03/04/2025: the working day after the data's as-of date
 *      (02/04/2025), so an early warning — and a dossier of an earlier year of receipt.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runFixture, type FixtureRun } from './helpers.js';

const EXTRA = `
  ('X1','portal','1.000001','H99.05',2,'2023-12-20 09:00:00','2024-01-10 17:00:00','2024-01-05 10:00:00','DA_TRA_KET_QUA',0,false,false,true ,false,true ,false,'2024-01-05 10:00:00','h1'),
  ('X2','portal','1.000001','H99.05',1,'2023-06-10 09:00:00','2023-07-10 17:00:00',NULL,'DANG_XU_LY',0,false,false,true ,false,true ,false,'2025-03-01 08:00:00','h1'),
  ('X3','portal','2.000002','H99.05',2,'2024-03-01 09:00:00','2024-03-10 17:00:00','2024-03-05 10:00:00','DA_TRA_KET_QUA',0,false,false,true ,false,true ,false,'2024-03-05 10:00:00','h1'),
  ('X4','portal','1.000001','H99.05',2,'2024-11-20 09:00:00','2025-04-03 17:00:00',NULL,'DANG_XU_LY',0,false,false,true ,false,true ,false,'2025-03-20 08:00:00','h1')`;

let run: FixtureRun;
beforeAll(async () => {
  run = await runFixture({ extraDossiers: EXTRA });
});
afterAll(async () => {
  await run?.dispose();
});

/** Rows of `a` not in `b` and of `b` not in `a` (multisets). */
async function difference(a: string, b: string): Promise<{ missing: number; extra: number }> {
  const [r] = await run.rows(`SELECT (SELECT count(*) FROM (${b} EXCEPT ALL ${a})) AS missing, (SELECT count(*) FROM (${a} EXCEPT ALL ${b})) AS extra`);
  return { missing: Number(r!.missing), extra: Number(r!.extra) };
}

describe('the dossiers carried over from their year of receipt', () => {
  test('should hold exactly the dossiers not finished in their year of receipt', async () => {
    const carried = await run.rows(`SELECT dossier_id FROM int_dossiers_carried_over ORDER BY dossier_id`);
    expect(carried.map((r) => r.dossier_id)).toEqual(expect.arrayContaining(['X1', 'X2', 'X4', 'D01']));
    expect(carried.map((r) => r.dossier_id)).not.toContain('X3');
    expect(
      await difference(
        `SELECT * FROM int_dossiers_carried_over`,
        `SELECT * FROM int_dossiers_classified WHERE finished_date IS NULL OR year(finished_date) <> year`,
      ),
    ).toEqual({ missing: 0, extra: 0 });
  });

  test('should give int_dossiers_attributed every dossier × period that a join over every dossier gives', async () => {
    const reference = `SELECT d.dossier_id, p.period_type, p.year, p.period_no
      FROM int_dossiers_classified AS d
      INNER JOIN int_periods_reported AS p ON d.received_date <= p.period_end AND (d.finished_date IS NULL OR d.finished_date >= p.period_start)`;
    expect(await difference(`SELECT dossier_id, period_type, year, period_no FROM int_dossiers_attributed`, reference)).toEqual({ missing: 0, extra: 0 });
    // X2 (received 2023, pending) counts in every period of 2024 and 2025; X1 (finished 05/01/2024) in January 2024, not later.
    const years = await run.rows(`SELECT dossier_id, list(DISTINCT year ORDER BY year) AS years FROM int_dossiers_attributed
      WHERE dossier_id IN ('X1', 'X2') AND period_type = 'month' GROUP BY dossier_id ORDER BY dossier_id`);
    expect(years.map((r) => [r.dossier_id, (r.years as unknown[]).map(Number)])).toEqual([
      ['X1', [2023, 2024]],
      ['X2', [2023, 2024, 2025]],
    ]);
    const [x1] = await run.rows(`SELECT max(period_no) AS last_month FROM int_dossiers_attributed WHERE dossier_id = 'X1' AND period_type = 'month' AND year = 2024`);
    expect(Number(x1!.last_month)).toBe(1);
  });

  test('should count procedure_years\' receipts by year of receipt and finishes by year of finish, as over every dossier', async () => {
    const counts = `SELECT procedure_code, year, received_total, resolved_total, resolved_withdrawn FROM procedure_years`;
    const reference = `SELECT coalesce(r.procedure_code, s.procedure_code) AS procedure_code, coalesce(r.year, s.year) AS year,
        coalesce(r.n, 0) AS received_total, coalesce(s.n, 0) AS resolved_total, coalesce(s.w, 0) AS resolved_withdrawn
      FROM (SELECT procedure_code, CAST(year(received_date) AS INTEGER) AS year, count(*) AS n FROM int_dossiers_classified
            WHERE NOT is_withdrawn GROUP BY 1, 2) AS r
      FULL OUTER JOIN (SELECT procedure_code, CAST(year(finished_date) AS INTEGER) AS year, count_if(NOT is_withdrawn) AS n, count_if(is_withdrawn) AS w
            FROM int_dossiers_classified WHERE finished_date IS NOT NULL GROUP BY 1, 2) AS s
        ON s.procedure_code = r.procedure_code AND s.year = r.year`;
    expect(await difference(counts, reference)).toEqual({ missing: 0, extra: 0 });
    // X1 is received in 2023 and resolved in 2024 (with X3, of another procedure).
    const rows = await run.rows(`SELECT procedure_code, year, received_total, resolved_total FROM procedure_years WHERE year IN (2023, 2024) ORDER BY 1, 2`);
    expect(rows).toEqual([
      { procedure_code: '1.000001', year: 2023, received_total: 2, resolved_total: 0 },
      { procedure_code: '1.000001', year: 2024, received_total: 2, resolved_total: 1 },
      { procedure_code: '2.000002', year: 2024, received_total: 1, resolved_total: 1 },
    ]);
  });

  test('should take the data window and the as-of date from the years of receipt as from every dossier', async () => {
    const [w] = await run.rows(`SELECT min(received_date) AS first_date,
        max(greatest(received_date, coalesce(finished_date, received_date), CAST(updated_at AS DATE))) AS last_date,
        max(received_date) AS last_received_date FROM int_dossiers_classified`);
    const [y] = await run.rows(`SELECT min(first_received_date) AS first_date, max(last_known_date) AS last_date,
        max(last_received_date) AS last_received_date, sum(dossiers) AS dossiers FROM int_dossier_receipt_years`);
    const [n] = await run.rows(`SELECT count(*) AS n FROM int_dossiers_classified`);
    expect({ ...y, dossiers: Number(y!.dossiers) }).toEqual({ ...w, dossiers: Number(n!.n) });
    expect(String(w!.first_date)).toBe('2023-06-10');
    // The first month reported is that of the first receipt (X2); the last period ends on the last date any dossier shows.
    const [p] = await run.rows(`SELECT min(period_start) FILTER (WHERE period_type = 'month') AS first_month, max(period_end) AS last_end FROM int_periods_reported`);
    expect([String(p!.first_month), String(p!.last_end)]).toEqual(['2023-06-01', String(w!.last_date)]);
    // X4 (received 2024, due the working day after the as-of date) is warned of; X2 (overdue since 2023) is not.
    const due = await run.rows(`SELECT dossier_id, CAST(as_of_date AS VARCHAR) AS as_of_date, working_days_left FROM warning_dossiers_due ORDER BY dossier_id`);
    expect(due.filter((r) => String(r.dossier_id).startsWith('X'))).toEqual([{ dossier_id: 'X4', as_of_date: String(w!.last_date), working_days_left: 1 }]);
    const reference = `SELECT d.dossier_id FROM int_dossiers_classified AS d
      INNER JOIN int_working_days AS t ON t.calendar_date = DATE '${String(w!.last_date)}'
      INNER JOIN int_working_days AS u ON u.calendar_date = d.due_date
      WHERE d.finished_date IS NULL AND d.status <> 'DA_RUT' AND d.due_date >= DATE '${String(w!.last_date)}' AND u.working_day_no - t.working_day_no <= 10`;
    expect(await difference(`SELECT dossier_id FROM warning_dossiers_due`, reference)).toEqual({ missing: 0, extra: 0 });
  });
});
