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
  'dossiers_csv_rejects',
  'dossiers_landed',
  'dossiers_quarantined',
  'dossiers_counts',
  'dossiers_vendor_absent',
  'small_repeated',
] as const;
export type LandingSqlName = (typeof LANDING_SQL)[number];

const cache = new Map<string, string>();

export async function readLandingSql(name: LandingSqlName, sqlDir: string = SQL_DIR): Promise<string> {
  const file = path.join(sqlDir, 'landing', `${name}.sql`);
  let text = cache.get(file);
  if (text === undefined) {
    text = (await readFile(file, 'utf8')).trim().replace(/;\s*$/, '');
    cache.set(file, text);
  }
  return text;
}
