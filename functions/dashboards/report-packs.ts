/**
 * The report packs on the dashboards site: every published pack of the lake (reports/<dir>/ with
 * its manifest) is copied to the Evidence project's static/reports/<dir>/ (served as
 * <base>/reports/<dir>/<file>, behind the site's sign-in on AWS) and listed in the `report_packs`
 * source table the "Báo cáo" page reads: one row per file, newest month and revision first.
 */
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { literal, type DuckDb } from '../core/engine/duckdb.js';
import { LocalStorage } from '../core/storage/local.js';
import { formatViNumber } from '../core/vi/index.js';
import { bieu06Kind, listReportPacks } from '../core/report/pack.js';

const KIND: Record<string, string> = { docx: 'Báo cáo (Word, dự thảo)', pdf: 'Báo cáo (PDF)', xlsx: 'Biểu 06/VPCP/KSTT (Excel)' };

export interface ReportPackRow {
  period: string;
  period_label: string;
  revision: number;
  file_name: string;
  kind: string;
  size_label: string;
  bytes: number;
  sha256: string;
  snapshot_as_of: string;
  link: string;
}

/** Rows of the `report_packs` table for the packs under `<lakeDir>/reports/`. */
export async function reportPackRows(lakeDir: string, basePath: string): Promise<ReportPackRow[]> {
  const rows: ReportPackRow[] = [];
  for (const pack of await listReportPacks(new LocalStorage(lakeDir))) {
    const [y, m] = pack.period.split('-').map(Number) as [number, number];
    for (const f of pack.files) {
      const ext = f.name.split('.').pop() ?? '';
      rows.push({
        period: pack.period,
        period_label: `Tháng ${m}/${y}${pack.revision > 1 ? ` (bản ${pack.revision})` : ''}`,
        revision: pack.revision,
        file_name: f.name,
        kind: f.name.startsWith('bieu06-') ? `${KIND.xlsx}${bieu06Kind(f.name)}` : (KIND[ext] ?? ext),
        size_label: `${formatViNumber(f.bytes / 1024, 0)} KB`,
        bytes: f.bytes,
        sha256: f.sha256,
        snapshot_as_of: pack.snapshot.as_of,
        link: `${basePath}/${pack.prefix}${f.name}`,
      });
    }
  }
  return rows;
}

/**
 * Copy the packs into `<dashDir>/static/reports/` (cleared first) and write the `report_packs`
 * Parquet under `dataDir`; returns the SELECT the source file should hold and the number of packs.
 */
export async function prepareReportPacks(db: DuckDb, opts: { lakeDir: string; dashDir: string; dataDir: string; dataRel: string; basePath: string }): Promise<{ select: string; files: number }> {
  const rows = await reportPackRows(opts.lakeDir, opts.basePath);
  const staticDir = path.join(opts.dashDir, 'static', 'reports');
  await rm(staticDir, { recursive: true, force: true });
  for (const r of rows) {
    const rel = r.link.slice(opts.basePath.length + '/reports/'.length);
    await mkdir(path.dirname(path.join(staticDir, rel)), { recursive: true });
    await copyFile(path.join(opts.lakeDir, 'reports', rel), path.join(staticDir, rel));
  }
  const json = path.join(opts.dataDir, 'report_packs.json');
  const parquet = path.join(opts.dataDir, 'report_packs.parquet');
  await mkdir(opts.dataDir, { recursive: true });
  // No pack yet: one placeholder row without a file name (the page filters it out). Evidence writes no Parquet for a source
  // with no rows, and its build then fails on the missing file.
  // Typed values, not NULLs: Evidence infers a column's type from its values (an all-NULL date became a number).
  const placeholder = { period: '', period_label: '', revision: 0, file_name: null, kind: '', size_label: '', bytes: 0, sha256: '', snapshot_as_of: '1970-01-01', link: '' };
  await writeFile(json, rows.length > 0 ? rows.map((r) => JSON.stringify(r)).join('\n') : JSON.stringify(placeholder));
  const columns =
    "{period: 'VARCHAR', period_label: 'VARCHAR', revision: 'INTEGER', file_name: 'VARCHAR', kind: 'VARCHAR', size_label: 'VARCHAR', bytes: 'BIGINT', sha256: 'VARCHAR', snapshot_as_of: 'DATE', link: 'VARCHAR'}";
  await db.run(`COPY (SELECT * FROM read_json(${literal(json)}, format = 'newline_delimited', columns = ${columns})) TO ${literal(parquet)} (FORMAT parquet)`);
  await rm(json, { force: true });
  return { select: `select * from read_parquet(${literal(`${opts.dataRel}/report_packs.parquet`)}) order by period desc, revision desc, file_name`, files: rows.length };
}

