/**
 * The limit: a bare DuckDB script doing the same bulk work with nothing around it.
 *
 * 1. land: ONE statement reads every portal CSV export and every NSW export (typed in the read,
 *    dates parsed, NSW fee flag from the catalogue) and writes Hive-partitioned Parquet
 *    landed/dossiers/source=/year=/month=/ with DuckDB's own PARTITION_BY writer (ZSTD);
 * 2. transform: the project's sql/ models (the same SQL text, loaded by loadModels) run in order on
 *    the same connection as CREATE TABLE … AS, each written to models/<layer>/<name>.parquet.
 *
 * Left out on purpose (that is what "nothing around it" means): the HTTP pull, raw/ copies and
 * hashes, manifests, validation and quarantine, per-file row numbers and lineage, dedupe of
 * repeated dossier ids, atomic per-partition publishing, sorted/byte-stable output, model tests.
 * The small datasets (registry, Biểu 06, PAR, 766), which come from XLSX/JSON through JS readers,
 * are copied from the project's lake of the same size before the clock starts.
 */
import { cp, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { DuckDb, ident, literal } from '../../functions/core/engine/duckdb.js';
import { DEFAULT_SHIMS_FILE, splitStatements } from '../../functions/core/engine/duckdb-engine.js';
import { PARQUET_OPTIONS } from '../../functions/core/engine/parquet.js';
import { SQL_DIR } from '../../functions/core/lake/landing-sql.js';
import { PORTAL_CSV_HEADER, NSW_CSV_HEADER } from '../../functions/core/lake/csv-header.js';
import { lakeSourceLocations, loadModels, SOURCE_COLUMNS } from '../../functions/core/transform/index.js';
import { settleDisk } from './child.js';
import { MEMORY_LIMIT } from './pipeline-jobs.js';

export interface BaselineParams {
  dataDir: string;
  /** A project lake of the same dataset: its small datasets are copied (not timed). */
  projectLake: string;
  outDir: string;
  workDir: string;
  /** Stop after the land (bench/profile-land.ts compares the land only). */
  landOnly?: boolean;
}

export interface BaselineResult {
  land: number;
  transform: number;
  total: number;
  dossiers: number;
  models: number;
}

const SMALL = ['agencies', 'procedures', 'bieu06', 'score766', 'score766_metrics', 'par_fields', 'par_totals', 'landing_log'];

/** The vendor fields of the landed dossiers (docs/data-contracts.md §1.1): null in the portal and NSW exports. */
const VENDOR_NULLS =
  'CAST(NULL AS TIMESTAMP) AS returned_at, CAST(NULL AS TIMESTAMP) AS supplement_requested_at, CAST(NULL AS TIMESTAMP) AS supplement_received_at, ' +
  'CAST(NULL AS TIMESTAMP) AS due_at_reset, CAST(NULL AS VARCHAR) AS result_type, CAST(NULL AS TIMESTAMP) AS deleted_at';

function varcharColumns(header: readonly string[]): string {
  return `{${header.map((h) => `${literal(h)}: 'VARCHAR'`).join(', ')}}`;
}

export async function runBaseline(p: BaselineParams): Promise<BaselineResult> {
  await rm(p.outDir, { recursive: true, force: true });
  await rm(p.workDir, { recursive: true, force: true });
  for (const d of SMALL) await cp(path.join(p.projectLake, 'landed', d), path.join(p.outDir, 'landed', d), { recursive: true }).catch(() => undefined);
  await mkdir(p.workDir, { recursive: true });
  const models = loadModels(SQL_DIR);
  const shims = splitStatements(await readFile(DEFAULT_SHIMS_FILE, 'utf8'));
  settleDisk();

  const t0 = performance.now();
  const db = await DuckDb.open({ memoryLimit: MEMORY_LIMIT, tempDirectory: path.join(p.workDir, 'spill') });
  try {
    const portal = literal(path.join(p.dataDir, 'portal', 'dossiers', '*', '*.csv'));
    const nsw = literal(path.join(p.dataDir, 'nsw', '*', '*.csv'));
    const procedures = literal(path.join(p.outDir, 'landed', 'procedures', '**', '*.parquet'));
    // The exports' Vietnamese column names are constants of this file (ident() allows ASCII only).
    const col = (c: string): string => `"${c.replaceAll('"', '""')}"`;
    const yes = (c: string): string => `(${col(c)} = 'Có')`;
    const dt = (c: string, f: string): string => `strptime(${col(c)}, '${f}')`;
    await db.run(
      `COPY (
         SELECT 'portal' AS source, year(received_at) AS year, month(received_at) AS month, * FROM (
           SELECT "Mã hồ sơ" AS dossier_id, "Mã TTHC" AS procedure_code, "Mã đơn vị" AS agency_code,
                  CAST("Kênh nộp" AS INTEGER) AS channel,
                  ${dt('Ngày tiếp nhận', '%d/%m/%Y %H:%M')} AS received_at, ${dt('Ngày hẹn trả', '%d/%m/%Y %H:%M')} AS due_at,
                  CASE WHEN "Ngày kết thúc" <> '' THEN ${dt('Ngày kết thúc', '%d/%m/%Y %H:%M')} END AS finished_at,
                  "Trạng thái" AS status, CAST("Số ngày chờ bổ sung" AS INTEGER) AS supplement_days,
                  ${yes('Có phí')} AS is_fee_bearing, ${yes('Thanh toán trực tuyến')} AS is_paid_online, ${yes('Đã số hóa')} AS is_digitised,
                  ${yes('Có kết quả điện tử')} AS has_e_result, ${yes('Đồng bộ DVCQG')} AS is_synced, ${yes('Có phản ánh')} AS has_complaint,
                  ${dt('Ngày cập nhật', '%d/%m/%Y %H:%M')} AS updated_at,
                  ${VENDOR_NULLS}, filename AS raw_hash, CAST(NULL AS BIGINT) AS raw_row
           FROM read_csv(${portal}, header = true, delim = ',', quote = '"', columns = ${varcharColumns(PORTAL_CSV_HEADER)}, auto_detect = false, filename = true)
         )
         UNION ALL
         SELECT 'nsw', year(received_at), month(received_at), * FROM (
           SELECT 'NSW-' || n."Số hồ sơ" AS dossier_id, n."Mã thủ tục" AS procedure_code, n."Mã cơ quan xử lý" AS agency_code, 2 AS channel,
                  ${dt('Ngày tiếp nhận', '%d-%m-%Y %H:%M:%S')} AS received_at, ${dt('Ngày hẹn trả', '%d-%m-%Y %H:%M:%S')} AS due_at,
                  CASE WHEN "Ngày hoàn thành" <> '' THEN ${dt('Ngày hoàn thành', '%d-%m-%Y %H:%M:%S')} END AS finished_at,
                  CASE "Trạng thái" WHEN 'Đang xử lý' THEN 'DANG_XU_LY' WHEN 'Chờ bổ sung' THEN 'CHO_BO_SUNG' WHEN 'Đã cấp phép' THEN 'DA_TRA_KET_QUA'
                                    WHEN 'Từ chối' THEN 'TU_CHOI' WHEN 'Đã rút' THEN 'DA_RUT' END AS status,
                  0 AS supplement_days, coalesce(pr.is_fee_bearing, true) AS is_fee_bearing,
                  coalesce("Thanh toán trực tuyến", '') = 'x' AS is_paid_online, true AS is_digitised,
                  coalesce("Có kết quả điện tử", '') = 'x' AS has_e_result, true AS is_synced, false AS has_complaint,
                  coalesce(finished_at, received_at) AS updated_at,
                  ${VENDOR_NULLS}, n.filename AS raw_hash, CAST(NULL AS BIGINT) AS raw_row
           FROM read_csv(${nsw}, header = true, delim = ';', quote = '"', columns = ${varcharColumns(NSW_CSV_HEADER)}, auto_detect = false, filename = true) n
           LEFT JOIN read_parquet(${procedures}) pr ON pr.procedure_code = n."Mã thủ tục"
         )
       ) TO ${literal(path.join(p.outDir, 'landed', 'dossiers'))} (${PARQUET_OPTIONS}, PARTITION_BY (source, year, month))`,
    );
    const t1 = performance.now();
    if (p.landOnly) return { land: (t1 - t0) / 1000, transform: 0, total: (t1 - t0) / 1000, dossiers: 0, models: 0 };

    await db.run('SET integer_division = true');
    for (const s of shims) await db.run(s);
    for (const [name, location] of Object.entries(lakeSourceLocations(p.outDir))) {
      const files = await db.scalarNumber(`SELECT count(*) FROM glob(${literal(`${location}/**/*.parquet`)})`);
      if (files > 0) {
        await db.run(`CREATE VIEW ${ident(name)} AS SELECT * FROM read_parquet(${literal(`${location}/**/*.parquet`)}, hive_partitioning = true, union_by_name = true)`);
      } else {
        const cols = SOURCE_COLUMNS[name] ?? [];
        await db.run(`CREATE TABLE ${ident(name)} (${cols.map((c) => `${ident(c.name)} ${c.type}`).join(', ')})`);
      }
    }
    for (const m of models) {
      const file = path.join(p.outDir, 'models', m.layer, `${m.name}.parquet`);
      await mkdir(path.dirname(file), { recursive: true });
      await db.run(`CREATE TABLE ${ident(m.name)} AS\n${m.sql}`);
      // The same output as the project: models with `persist: false` stay tables of the run.
      if (m.persist !== false) await db.run(`COPY ${ident(m.name)} TO ${literal(file)} (${PARQUET_OPTIONS})`);
    }
    const t2 = performance.now();
    const dossiers = await db.scalarNumber('SELECT count(*) FROM src_dossiers');
    return { land: (t1 - t0) / 1000, transform: (t2 - t1) / 1000, total: (t2 - t0) / 1000, dossiers, models: models.length };
  } finally {
    db.close();
    await rm(p.workDir, { recursive: true, force: true });
  }
}
