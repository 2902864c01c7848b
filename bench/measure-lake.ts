/**
 * `npx tsx bench/measure-lake.ts <lake dir> <dossiers> <out.json> [--columns-from bench/lake-1m.json]`
 *
 * Measure a lake a bench run kept (`--keep-lakes`) into the input of bench/cost-model.ts, as
 * bench/lake-1m.json is: its sizes by table and year (bench/lib/lake-stats.ts) and the compressed bytes of
 * every column of every model (DuckDB `parquet_metadata` over the model's files, partitions summed).
 * The embedded engine never writes the `persist: false` steps (stg_lake__dossiers, int_dossiers_attributed):
 * with `--columns-from`, their columns are that file's, scaled to the size cost-model.ts estimates for
 * them from this lake (STG_PER_LANDED, ATTRIBUTED_PER_CLASSIFIED), so their tests are billed by column too.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DuckDb, literal } from '../functions/core/engine/duckdb.js';
import { loadModels } from '../functions/core/transform/models.js';
import { ATTRIBUTED_PER_CLASSIFIED, STG_PER_LANDED, type ModelColumns } from './cost-model.js';
import { REPO } from './lib/child.js';
import { lakeStats } from './lib/lake-stats.js';

async function parquetFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await parquetFiles(p)));
    else if (e.name.endsWith('.parquet')) out.push(p);
  }
  return out;
}

export async function measureLake(lakeDir: string, dossiers: number, columnsFrom?: string): Promise<Record<string, unknown>> {
  const lake = await lakeStats(lakeDir);
  const models = loadModels(path.join(REPO, 'sql'));
  const db = await DuckDb.open({ threads: 1 });
  const columns: ModelColumns = {};
  try {
    for (const m of models) {
      const dir = path.join(lakeDir, 'models', m.layer);
      // A partitioned model's partitions (what Athena holds), else its one file.
      const parts = await parquetFiles(path.join(dir, m.name));
      const files = parts.length > 0 ? parts : (await parquetFiles(dir)).filter((f) => path.basename(f) === `${m.name}.parquet`);
      if (files.length === 0) continue;
      const rows = await db.all(
        `SELECT path_in_schema AS c, sum(total_compressed_size) AS b FROM parquet_metadata([${files.map(literal).join(', ')}]) GROUP BY 1 ORDER BY 1`,
      );
      columns[m.name] = Object.fromEntries(rows.map((r) => [String(r.c), Number(r.b)]));
    }
  } finally {
    db.close();
  }
  const estimated: string[] = [];
  if (columnsFrom) {
    const from = JSON.parse(await readFile(columnsFrom, 'utf8')) as { columns: ModelColumns };
    const sum = (c: Record<string, number> | undefined): number => Object.values(c ?? {}).reduce((s, x) => s + x, 0);
    const target: Record<string, number> = {
      stg_lake__dossiers: STG_PER_LANDED * (lake.tables['landed/dossiers']?.bytes ?? 0),
      int_dossiers_attributed: ATTRIBUTED_PER_CLASSIFIED * sum(columns.int_dossiers_classified),
    };
    for (const [name, bytes] of Object.entries(target)) {
      const src = from.columns[name];
      if (columns[name] || !src || bytes <= 0) continue;
      const k = bytes / sum(src);
      columns[name] = Object.fromEntries(Object.entries(src).map(([c, b]) => [c, Math.round(b * k)]));
      estimated.push(name);
    }
  }
  return {
    size: dossiers,
    measuredAt: new Date().toISOString().slice(0, 10),
    source:
      `bench/measure-lake.ts on ${path.relative(REPO, lakeDir) || lakeDir}` +
      (estimated.length ? `; columns of ${estimated.join(', ')} (persist: false, never written by DuckDB) scaled from ${columnsFrom} to the sizes cost-model.ts estimates` : ''),
    lake,
    columns,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(REPO, 'bench', 'measure-lake.ts')) {
  const [lakeDir, dossiers, out] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--columns-from');
  const at = process.argv.indexOf('--columns-from');
  if (!lakeDir || !dossiers || !out) {
    console.error('usage: bench/measure-lake.ts <lake dir> <dossiers> <out.json> [--columns-from bench/lake-1m.json]');
    process.exit(2);
  }
  const measured = await measureLake(lakeDir, Number(dossiers), at >= 0 ? process.argv[at + 1] : undefined);
  await writeFile(out, `${JSON.stringify(measured, null, 2)}\n`);
  console.log(`wrote ${out}`);
}
