/**
 * Biểu 06 for any date range (sql/reports/agency_range.sql via agencyRange): on the fixture lake every
 * calendar period of agency_periods comes out cell for cell, and a range that is no calendar period
 * (06/01–15/02/2025, across the month boundary) is counted by hand. A range ending after the data's
 * last known date (02/4/2025) ends on that date, as the running quarter of agency_periods does.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { agencyRange } from '../../functions/core/transform/range.js';
import { runFixture, SQL_DIR, type FixtureRun } from './helpers.js';

/** Supplement waits around period ends (see pending-overdue.test.ts for D20 and D21). */
const EXTRA = `
  ('D20','portal','1.000001','H99.05',1,'2025-01-20 09:00:00','2025-01-28 17:00:00','2025-02-05 10:00:00','DA_TRA_KET_QUA',10,false,false,true ,false,true ,false,'2025-02-05 10:00:00','h1'),
  ('D21','portal','1.000001','H99.05',1,'2025-01-10 09:00:00','2025-01-20 17:00:00','2025-02-10 10:00:00','DA_TRA_KET_QUA',5,false,false,true ,false,true ,false,'2025-02-10 10:00:00','h1'),
  ('D22','portal','1.000001','H99.05',2,'2025-02-01 09:00:00','2025-02-10 17:00:00','2025-02-20 10:00:00','DA_TRA_KET_QUA',7,false,false,true ,false,true ,false,'2025-02-20 10:00:00','h1'),
  ('D23','portal','1.000001','H99.05',1,'2025-04-01 09:00:00','2025-04-08 17:00:00',NULL,'DANG_XU_LY',0,false,false,true ,false,true ,false,'2025-04-02 08:00:00','h1')`;

let run: FixtureRun;
beforeAll(async () => {
  run = await runFixture({ extraDossiers: EXTRA });
});
afterAll(async () => {
  await run?.dispose();
});

const COLS = ['received_total', 'received_online', 'received_offline', 'received_carried_over', 'resolved_total', 'resolved_early', 'resolved_on_time', 'resolved_late', 'pending_total', 'pending_in_time', 'pending_overdue'] as const;

describe('agencyRange', () => {
  test('should give every calendar period of agency_periods cell for cell', async () => {
    const periods = await run.rows(`SELECT DISTINCT period_type AS t, year AS y, period_no AS n, CAST(period_start AS VARCHAR) AS s, CAST(period_end AS VARCHAR) AS e FROM agency_periods ORDER BY s, e, t`);
    expect(periods.length).toBeGreaterThanOrEqual(10);
    let compared = 0;
    for (const p of periods) {
      const mart = await run.rows(`SELECT agency_code, ${COLS.join(', ')} FROM agency_periods WHERE period_type = '${p.t}' AND year = ${p.y} AND period_no = ${p.n} ORDER BY agency_code`);
      const range = await agencyRange(run.engine, SQL_DIR, { from: String(p.s), to: String(p.e) });
      expect(range.map((r) => ({ agency_code: r.agency_code, ...Object.fromEntries(COLS.map((c) => [c, r[c]])) })), `${p.s}–${p.e}`).toEqual(mart);
      compared += mart.length;
    }
    expect(compared).toBeGreaterThanOrEqual(30);
  });

  test('should count a range that is no calendar period, for one agency', async () => {
    const [r] = await agencyRange(run.engine, SQL_DIR, { from: '2025-01-06', to: '2025-02-15', agency: 'H99.05' });
    // Carried over: D01 (received 20/12, finished 08/01) and D02 (received 05/01, finished 15/01).
    // Received: D03, D04, D20, D21 (in person / post), NSW-D05, NSW-D07, D22 (online); D06 is withdrawn.
    // Resolved: D01, D20 early; D02, D03 on time (D03 thanks to 4 days of supplements); D04, D21 late.
    // Pending on 15/02: NSW-D05 (due 05/02) overdue; NSW-D07 (due 20/02) in time; D22 (due 10/02, 7 days
    // of supplements: 15/02 − 7 = 08/02 ≤ 10/02) in time.
    expect(r).toEqual({
      agency_code: 'H99.05', agency_name: 'Sở Tư pháp', period_start: '2025-01-06', period_end: '2025-02-15', requested_end: '2025-02-15', data_last_date: '2025-04-02',
      received_total: 9, received_online: 3, received_offline: 4, received_carried_over: 2,
      resolved_total: 6, resolved_early: 2, resolved_on_time: 2, resolved_late: 2,
      pending_total: 3, pending_in_time: 2, pending_overdue: 1,
    });
  });

  test("should count a quarter cut on the 14th (15/12–14/3, Nghị định 09/2019's periodic-report window) apart from the calendar quarter", async () => {
    const [cut] = await agencyRange(run.engine, SQL_DIR, { from: '2024-12-15', to: '2025-03-14', agency: 'H99.05' });
    // Received in the window: D01 (20/12), D02, D03, D04, D20, D21, NSW-D05, NSW-D07, D22; online D01, NSW-D05,
    // NSW-D07, D22. Nothing pending on 15/12. Resolved by 14/3: all but NSW-D05, which is pending (overdue).
    expect([cut!.received_total, cut!.received_online, cut!.received_offline, cut!.received_carried_over]).toEqual([9, 4, 5, 0]);
    expect([cut!.resolved_total, cut!.pending_total, cut!.pending_overdue]).toEqual([8, 1, 1]);
    // The calendar quarter 01/01–31/3 (the pack's bieu06-2025-q1): D01 carried over from December, D12
    // (received 31/3, finished 1/4) received and pending.
    const [q1] = await run.rows(`SELECT received_total, received_carried_over, resolved_total, pending_total FROM agency_periods
      WHERE agency_code = 'H99.05' AND period_type = 'quarter' AND year = 2025 AND period_no = 1`);
    expect(q1).toEqual({ received_total: 10, received_carried_over: 1, resolved_total: 8, pending_total: 2 });
  });

  test("should end a range on the data's last date when it asks for later, as the running quarter of agency_periods", async () => {
    // The data's last known date (int_periods_reported caps the running Q2/2025 there): 02/4/2025.
    const [q2] = await run.rows(`SELECT CAST(period_start AS VARCHAR) AS s, CAST(period_end AS VARCHAR) AS e, is_complete FROM int_periods_reported WHERE period_type = 'quarter' AND year = 2025 AND period_no = 2`);
    expect(q2).toEqual({ s: '2025-04-01', e: '2025-04-02', is_complete: false });
    const range = await agencyRange(run.engine, SQL_DIR, { from: '2025-04-01', to: '2025-06-30' });
    const mart = await run.rows(`SELECT agency_code, ${COLS.join(', ')} FROM agency_periods WHERE period_type = 'quarter' AND year = 2025 AND period_no = 2 ORDER BY agency_code`);
    expect(mart.map((m) => m.agency_code)).toEqual(expect.arrayContaining(['H99.05', 'H99.21']));
    expect(range.map((r) => ({ agency_code: r.agency_code, ...Object.fromEntries(COLS.map((c) => [c, r[c]])) }))).toEqual(mart);
    expect(new Set(range.map((r) => `${r.period_start} ${r.period_end} ${r.requested_end} ${r.data_last_date}`))).toEqual(new Set(['2025-04-01 2025-04-02 2025-06-30 2025-04-02']));
    // Pending on 02/4, due after it: D23 (H99.05, due 08/4) and D11 (H99.21, due 10/4) are in time,
    // not overdue as on 30/6; NSW-D05 (due 05/02) and D08 (H99.10 merged into H99.21, due 10/3) overdue.
    const pending = (code: string): number[] => {
      const r = range.find((x) => x.agency_code === code)!;
      return [r.pending_total, r.pending_in_time, r.pending_overdue];
    };
    expect(pending('H99.05')).toEqual([2, 1, 1]);
    expect(pending('H99.21')).toEqual([2, 1, 1]);
    // A range within the data is not capped.
    const [inside] = await agencyRange(run.engine, SQL_DIR, { from: '2025-03-01', to: '2025-03-31', agency: 'H99.05' });
    expect([inside!.period_end, inside!.requested_end, inside!.data_last_date]).toEqual(['2025-03-31', '2025-03-31', '2025-04-02']);
  });

  test("should refuse a range that starts after the data's last date, naming it", async () => {
    await expect(agencyRange(run.engine, SQL_DIR, { from: '2025-05-01', to: '2025-06-30' })).rejects.toThrow(/Failed to report 2025-05-01–2025-06-30: the data ends 2025-04-02, before the range starts/);
  });

  test('should say why one agency has no row: not in the registry, merged before the range ends, or begun after it', async () => {
    await expect(agencyRange(run.engine, SQL_DIR, { from: '2025-03-01', to: '2025-03-31', agency: 'H99.99' })).rejects.toThrow(
      /Failed to report 2025-03-01–2025-03-31 for H99\.99: no unit has this code in the agency registry/,
    );
    // H99.10 ended 28/02/2025: in March its dossiers are H99.21's lines.
    await expect(agencyRange(run.engine, SQL_DIR, { from: '2025-03-01', to: '2025-03-31', agency: 'H99.10' })).rejects.toThrow(
      /H99\.10 \(Sở Kế hoạch và Đầu tư\) ended 2025-02-28; on 2025-03-31 its dossiers are the lines of H99\.21 \(Sở Tài chính \(hợp nhất\)\): ask for --agency H99\.21/,
    );
    // Judged on the range's effective end: the data ends 02/4, so a range asked to 30/6 ends there.
    await expect(agencyRange(run.engine, SQL_DIR, { from: '2025-03-01', to: '2025-06-30', agency: 'H99.10' })).rejects.toThrow(
      /on 2025-04-02 \(the range ends 2025-04-02, the data's last date\) its dossiers are the lines of H99\.21/,
    );
    // A range after the data, for a unit that had ended by the data's last date: the data is why.
    await expect(agencyRange(run.engine, SQL_DIR, { from: '2025-05-01', to: '2025-06-30', agency: 'H99.10' })).rejects.toThrow(
      /Failed to report 2025-05-01–2025-06-30 for H99\.10: the data ends 2025-04-02, before the range starts/,
    );
    // H99.21 begins 01/3/2025.
    await expect(agencyRange(run.engine, SQL_DIR, { from: '2025-01-01', to: '2025-01-31', agency: 'H99.21' })).rejects.toThrow(/H99\.21 \(Sở Tài chính \(hợp nhất\)\) begins 2025-03-01, after the range ends/);
    // Each unit has its row in the range it was valid in (ended or begun on the range's end day included).
    expect((await agencyRange(run.engine, SQL_DIR, { from: '2025-02-01', to: '2025-02-28', agency: 'H99.10' })).map((r) => r.agency_code)).toEqual(['H99.10']);
    expect((await agencyRange(run.engine, SQL_DIR, { from: '2025-03-01', to: '2025-03-31', agency: 'H99.21' })).map((r) => r.agency_code)).toEqual(['H99.21']);
  });

  test('should refuse a range that ends before it starts', async () => {
    await expect(agencyRange(run.engine, SQL_DIR, { from: '2025-03-01', to: '2025-02-01' })).rejects.toThrow(/Failed to report 2025-03-01–2025-02-01: the range starts after it ends/);
  });
});
