/** The landing SQL files (sql/landing/*.sql): DuckDB-only queries the landing runner wraps. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The sql/ directory: PIPELINE_SQL_DIR when set (a Lambda bundle carries its copy at /var/task/sql,
 * where a path relative to the bundled module would be wrong), else sql/ at the repository root.
 */
export const SQL_DIR = process.env.PIPELINE_SQL_DIR || path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../sql');

const LANDING_SQL = [
  'dossiers_portal_csv',
  'dossiers_portal_json',
  'dossiers_nsw_csv',
  'dossiers_profile',
  'dossiers_checked',
  'dossiers_failed',
  'dossiers_csv_rejects',
  'dossiers_landed',
  'dossiers_batch_checked',
  'dossiers_quarantined',
  'dossiers_counts',
  'dossiers_vendor_absent',
  'small_repeated',
] as const;
export type LandingSqlName = (typeof LANDING_SQL)[number];

const cache = new Map<string, string>();

/**
 * One SQL file of sql/<folder>/, read once per process (trailing semicolon dropped); `check` may
 * reject its text (the report queries pass the portability lint when read).
 */
export async function readSqlFile(folder: string, name: string, sqlDir: string = SQL_DIR, check?: (text: string) => void): Promise<string> {
  const file = path.join(sqlDir, folder, `${name}.sql`);
  let text = cache.get(file);
  if (text === undefined) {
    text = (await readFile(file, 'utf8')).trim().replace(/;\s*$/, '');
    check?.(text);
    cache.set(file, text);
  }
  return text;
}

export function readLandingSql(name: LandingSqlName, sqlDir: string = SQL_DIR): Promise<string> {
  return readSqlFile('landing', name, sqlDir);
}
