/**
 * The snapshot as the code built it before snapshots moved onto the query engine (commit ff2f53d:
 * functions/core/transform/asof.ts and the snapshot step of functions/core/pipeline.ts), kept here
 * only as the reference the engine-built snapshot must match byte for byte
 * (test/unit/transform/snapshot-engine.test.ts). Never used by the product. One rule changed since:
 * the quarantine is read whole, as the landing log is (its month cut left a file's rejected rows out of
 * a snapshot that listed the file, and the snapshot failed data_quality's test; bench/history.md, 133).
 * A second rule is not here: a dossier is read as its version known on the date, from the current ones and
 * the ledger of replaced ones (bench/history.md, 160); the generated province this reference is compared
 * on has no replaced version, so both read the one version each dossier has (snapshot-versions.test.ts
 * tests the rule itself).
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { DuckDbEngine } from '../../functions/core/engine/duckdb-engine.js';
import { literal, withDuckDb, type DuckDb } from '../../functions/core/engine/duckdb.js';
import { SQL_DIR } from '../../functions/core/lake/landing-sql.js';
import { loadModels, runModels, SOURCE_NAMES } from '../../functions/core/transform/index.js';
import { monthEnd, type SnapshotFile } from '../../functions/core/transform/snapshot.js';

const AS_OF_FILTERS: Record<string, { where: string; replace?: string }> = {
  src_dossiers: {
    where: 'CAST(received_at AS DATE) <= $as_of',
    replace: `CASE WHEN CAST(finished_at AS DATE) > $as_of THEN NULL ELSE finished_at END AS finished_at,
              CASE WHEN CAST(finished_at AS DATE) > $as_of THEN 'DANG_XU_LY' ELSE status END AS status,
              least(updated_at, CAST($as_of AS TIMESTAMP) + INTERVAL 1 DAY - INTERVAL 1 SECOND) AS updated_at`,
  },
  src_score766: { where: 'as_of <= $as_of' },
  src_score766_metrics: { where: 'as_of <= $as_of' },
  src_bieu06: { where: 'period_end <= $as_of' },
  src_par_fields: { where: 'make_date(year + 1, 3, 1) <= $as_of' },
  src_par_totals: { where: 'make_date(year + 1, 3, 1) <= $as_of' },
};

function locations(lakeRoot: string): Record<string, string> {
  return Object.fromEntries(SOURCE_NAMES.map((n) => [n, n === 'src_quarantine' ? `${lakeRoot}/quarantine` : `${lakeRoot}/landed/${n.slice(4)}`]));
}

async function buildAsOfSources(lakeRoot: string, asOf: string, dir: string): Promise<Record<string, string>> {
  await mkdir(dir, { recursive: true });
  const locs = locations(lakeRoot);
  const overrides: Record<string, string> = {};
  await withDuckDb(async (db) => {
    for (const [source, filter] of Object.entries(AS_OF_FILTERS)) {
      const pattern = `${locs[source]!}/**/*.parquet`;
      if ((await db.scalarNumber(`SELECT count(*) FROM glob(${literal(pattern)})`)) === 0) continue;
      const out = path.join(dir, `${source}.parquet`);
      const select = filter.replace ? `* REPLACE (${filter.replace})` : '*';
      await db.run(
        `COPY (SELECT ${select} FROM read_parquet(${literal(pattern)}, hive_partitioning = true, union_by_name = true)
               WHERE ${filter.where}) TO ${literal(out)} (FORMAT PARQUET, COMPRESSION ZSTD)`,
        { as_of: asOf },
      );
      overrides[source] = out;
    }
  });
  return overrides;
}

async function periodFilter(db: DuckDb, file: string): Promise<string> {
  const cols = new Set((await db.all(`SELECT name FROM parquet_schema(${literal(file)})`)).map((r) => String(r.name)));
  if (cols.has('period_start')) return 'period_start <= CAST($as_of AS DATE)';
  if (cols.has('year') && cols.has('month')) return 'year * 100 + month <= year(CAST($as_of AS DATE)) * 100 + month(CAST($as_of AS DATE))';
  if (cols.has('as_of')) return 'as_of <= CAST($as_of AS DATE)';
  if (cols.has('year')) return 'year <= year(CAST($as_of AS DATE))';
  return 'true';
}

async function freezeMarts(martsDir: string, outDir: string, asOf: string): Promise<SnapshotFile[]> {
  await mkdir(outDir, { recursive: true });
  const names = (await readdir(martsDir)).filter((n) => n.endsWith('.parquet')).sort();
  const files: SnapshotFile[] = [];
  await withDuckDb(async (db) => {
    for (const name of names) {
      const src = path.join(martsDir, name);
      const out = path.join(outDir, name);
      const where = await periodFilter(db, src);
      await db.run(
        `COPY (SELECT * FROM read_parquet(${literal(src)}) WHERE ${where}) TO ${literal(out)} (FORMAT PARQUET, COMPRESSION ZSTD, ROW_GROUP_SIZE 122880)`,
        { as_of: asOf },
      );
      const rows = await db.scalarNumber(`SELECT count(*) FROM read_parquet(${literal(out)})`);
      files.push({ name, body: await readFile(out), rows });
    }
  }, { threads: 1 });
  return files;
}

/** The snapshot files of `period` over the local lake at `lakeRoot`, as the old code built them. */
export async function legacySnapshotFiles(lakeRoot: string, period: string, workDir: string): Promise<SnapshotFile[]> {
  const asOf = monthEnd(period);
  const dir = path.join(workDir, `legacy-snapshot-${period}`);
  await rm(dir, { recursive: true, force: true });
  try {
    const overrides = await buildAsOfSources(lakeRoot, asOf, path.join(dir, 'sources'));
    const engine = await DuckDbEngine.create({ lakeRoot: path.join(dir, 'out'), workDir });
    try {
      for (const [name, location] of Object.entries({ ...locations(lakeRoot), ...overrides })) {
        await engine.registerSource(name, location, { hivePartitioning: true });
      }
      await runModels(engine, loadModels(SQL_DIR));
    } finally {
      await engine.close();
    }
    return await freezeMarts(path.join(dir, 'out', 'models', 'marts'), path.join(dir, 'frozen'), asOf);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
