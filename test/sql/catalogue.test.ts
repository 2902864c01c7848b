/**
 * procedure_catalogue and agency_procedure_years on the fixture lake plus two procedures nobody used:
 *   3.000003 at H99.10 (not online, 30 → 30 days): H99.10 holds it at the end of 2024, its successor
 *            H99.21 at the end of 2025 (the data's last date, 02/4/2025, is after the 01/3 merger);
 *   4.000004 at H99.05 (not online, fee, 25 → 20 days).
 * H99.05 then holds three procedures: 1.000001 toàn trình (15 → 10 days, dossiers every year),
 * 2.000002 một phần (5 → 5 days, dossiers in 2025 only) and 4.000004 (none). Shares over every
 * procedure differ from the shares over the procedures that had dossiers, which is the point.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runModelTests } from '../../functions/core/transform/index.js';
import { runFixture, type FixtureRun } from './helpers.js';

const EXTRA_PROCEDURES = `
  ('3.000003','Giải quyết khiếu nại lần đầu','Khiếu nại','H99.10','khong',false,false,30,30),
  ('4.000004','Cấp giấy phép hoạt động','Hành chính tư pháp','H99.05','khong',true,false,20,25)`;

let run: FixtureRun;
beforeAll(async () => {
  run = await runFixture({ extraProcedures: EXTRA_PROCEDURES });
});
afterAll(async () => {
  await run?.dispose();
});

describe('procedure_catalogue', () => {
  test('should list every procedure in every year, with or without dossiers, under its holder at the year end', async () => {
    const rows = await run.rows(
      `SELECT procedure_code, year, agency_code, online_level, is_online, is_full_online, received_total, resolved_total, has_dossiers
       FROM procedure_catalogue ORDER BY year, procedure_code`,
    );
    expect(rows).toEqual([
      { procedure_code: '1.000001', year: 2024, agency_code: 'H99.05', online_level: 'toan_trinh', is_online: true, is_full_online: true, received_total: 1, resolved_total: 0, has_dossiers: true },
      { procedure_code: '2.000002', year: 2024, agency_code: 'H99.05', online_level: 'mot_phan', is_online: true, is_full_online: false, received_total: 0, resolved_total: 0, has_dossiers: false },
      { procedure_code: '3.000003', year: 2024, agency_code: 'H99.10', online_level: 'khong', is_online: false, is_full_online: false, received_total: 0, resolved_total: 0, has_dossiers: false },
      { procedure_code: '4.000004', year: 2024, agency_code: 'H99.05', online_level: 'khong', is_online: false, is_full_online: false, received_total: 0, resolved_total: 0, has_dossiers: false },
      { procedure_code: '1.000001', year: 2025, agency_code: 'H99.05', online_level: 'toan_trinh', is_online: true, is_full_online: true, received_total: 8, resolved_total: 7, has_dossiers: true },
      { procedure_code: '2.000002', year: 2025, agency_code: 'H99.05', online_level: 'mot_phan', is_online: true, is_full_online: false, received_total: 2, resolved_total: 1, has_dossiers: true },
      { procedure_code: '3.000003', year: 2025, agency_code: 'H99.21', online_level: 'khong', is_online: false, is_full_online: false, received_total: 0, resolved_total: 0, has_dossiers: false },
      { procedure_code: '4.000004', year: 2025, agency_code: 'H99.05', online_level: 'khong', is_online: false, is_full_online: false, received_total: 0, resolved_total: 0, has_dossiers: false },
    ]);
  });
});

describe('agency_procedure_years', () => {
  test('should give the online and full-online shares over every procedure held, beside the shares over those with dossiers', async () => {
    const rows = await run.rows(
      `SELECT agency_code, year, procedures_total, procedures_online, procedures_full_online, procedures_with_dossiers,
              online_share, full_online_share, online_share_with_dossiers, full_online_share_with_dossiers
       FROM agency_procedure_years WHERE agency_code = 'H99.05' ORDER BY year`,
    );
    expect(rows).toEqual([
      // 2024: only 1.000001 had a dossier (D01).
      { agency_code: 'H99.05', year: 2024, procedures_total: 3, procedures_online: 2, procedures_full_online: 1, procedures_with_dossiers: 1,
        online_share: 2 / 3, full_online_share: 1 / 3, online_share_with_dossiers: 1, full_online_share_with_dossiers: 1 },
      { agency_code: 'H99.05', year: 2025, procedures_total: 3, procedures_online: 2, procedures_full_online: 1, procedures_with_dossiers: 2,
        online_share: 2 / 3, full_online_share: 1 / 3, online_share_with_dossiers: 1, full_online_share_with_dossiers: 0.5 },
    ]);
  });

  test('should give the unit its processing-time cut as a mean of cuts and as a ratio of total days', async () => {
    const [r] = await run.rows(`SELECT procedures_time_cut, statutory_days_total, original_statutory_days_total, processing_time_cut_avg, processing_time_cut_total FROM agency_procedure_years WHERE agency_code = 'H99.05' AND year = 2025`);
    expect(r).toMatchObject({ procedures_time_cut: 2, statutory_days_total: 35, original_statutory_days_total: 45 });
    expect(r!.processing_time_cut_avg).toBeCloseTo((1 / 3 + 0 + 0.2) / 3, 10);
    expect(r!.processing_time_cut_total).toBeCloseTo(1 - 35 / 45, 10);
  });

  test('should give every unit valid at the year end a row, and a unit without procedures zero and no share', async () => {
    const rows = await run.rows(`SELECT agency_code, year, procedures_total, online_share FROM agency_procedure_years ORDER BY year, agency_code`);
    expect(rows).toEqual([
      { agency_code: 'H99.05', year: 2024, procedures_total: 3, online_share: 2 / 3 },
      { agency_code: 'H99.10', year: 2024, procedures_total: 1, online_share: 0 },
      { agency_code: 'H99.11', year: 2024, procedures_total: 0, online_share: null },
      { agency_code: 'H99.05', year: 2025, procedures_total: 3, online_share: 2 / 3 },
      { agency_code: 'H99.21', year: 2025, procedures_total: 1, online_share: 0 },
    ]);
  });

  test('should pass the YAML tests of both marts', async () => {
    const results = await runModelTests(run.engine, run.models.filter((m) => ['procedure_catalogue', 'agency_procedure_years'].includes(m.name)));
    expect(results.filter((r) => !r.passed).map((r) => `${r.model}: ${r.test}`)).toEqual([]);
    expect(results.length).toBeGreaterThan(12);
  });
});
