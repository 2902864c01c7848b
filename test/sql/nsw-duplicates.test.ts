/**
 * The portal/NSW rule (docs/data-contracts.md §4.6) on the fixture lake: a portal row whose Mã hồ sơ
 * is the Số hồ sơ of an NSW dossier is the portal's copy of it. Both stay in the lake with their own
 * lineage, stg_lake__dossiers names the NSW dossier the copy duplicates, and every mart counts the
 * dossier once, with the NSW's values (here the copy disagrees: pending, in person, not synced).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runModelTests } from '../../functions/core/transform/index.js';
import { runFixture, type FixtureRun } from './helpers.js';

// The portal's copy of NSW-D07 (fixture: NSW, H99.05, received 10/02/2025, resolved on time on
// 20/02/2025), with different values; and D77, a portal dossier whose NSW twin is not in the lake.
const COPIES = `
  ('D07','portal','2.000002','H99.05',1,'2025-02-10 09:00:00','2025-02-20 17:00:00',NULL,'DANG_XU_LY',0,true ,false,false,false,false,false,'2025-02-10 09:00:00','h9'),
  ('D77','portal','1.000001','H99.05',2,'2025-02-11 09:00:00','2025-02-20 17:00:00','2025-02-12 09:00:00','DA_TRA_KET_QUA',0,false,false,true ,true ,true ,false,'2025-02-12 09:00:00','h9')`;

let base: FixtureRun;
let withCopies: FixtureRun;
beforeAll(async () => {
  base = await runFixture();
  withCopies = await runFixture({ extraDossiers: COPIES });
}, 120_000);
afterAll(async () => {
  await base?.dispose();
  await withCopies?.dispose();
});

const FEB = `FROM agency_periods WHERE agency_code = 'H99.05' AND period_type = 'month' AND year = 2025 AND period_no = 2`;

describe('A portal copy of an NSW dossier in the lake', () => {
  test('should stay in staging with its lineage, naming the NSW dossier it duplicates', async () => {
    expect(await withCopies.rows(`SELECT dossier_id, source, raw_hash, duplicate_of_dossier_id FROM stg_lake__dossiers WHERE dossier_id IN ('D07', 'NSW-D07', 'D77') ORDER BY dossier_id`)).toEqual([
      { dossier_id: 'D07', source: 'portal', raw_hash: 'h9', duplicate_of_dossier_id: 'NSW-D07' },
      { dossier_id: 'D77', source: 'portal', raw_hash: 'h9', duplicate_of_dossier_id: null },
      { dossier_id: 'NSW-D07', source: 'nsw', raw_hash: 'h2', duplicate_of_dossier_id: null },
    ]);
  });

  test('should be counted once, as the NSW has it, in the dossier models and the marts', async () => {
    expect(await withCopies.rows(`SELECT dossier_id FROM int_dossiers_classified WHERE dossier_id IN ('D07', 'NSW-D07') ORDER BY 1`)).toEqual([{ dossier_id: 'NSW-D07' }]);
    const cols = `received_total, received_online, received_offline, received_nsw, resolved_total, resolved_on_time, pending_total`;
    const [b] = await base.rows(`SELECT ${cols} ${FEB}`);
    const [c] = await withCopies.rows(`SELECT ${cols} ${FEB}`);
    // Only D77 (online, resolved early, not an NSW copy) is added to February.
    expect(c).toEqual({ ...b, received_total: Number(b!.received_total) + 1, received_online: Number(b!.received_online) + 1, resolved_total: Number(b!.resolved_total) + 1 });
    expect(c!.received_nsw).toBe(1);
    // procedure_years of the NSW procedure: the copy (in person, pending) changes nothing.
    const py = `SELECT received_total, received_online, received_offline, resolved_total FROM procedure_years WHERE year = 2025 AND procedure_code = '2.000002'`;
    expect(await withCopies.rows(py)).toEqual(await base.rows(py));
    expect(await withCopies.rows(py)).toHaveLength(1);
  });

  test('should pass every YAML test', async () => {
    const failed = (await runModelTests(withCopies.engine, withCopies.models)).filter((r) => !r.passed && r.severity === 'error');
    expect(failed.map((r) => `${r.model}: ${r.test}`)).toEqual([]);
  });
});
