/**
 * The SQL gate (docs/architecture.md, "One SQL for DuckDB and Athena"): every sql/ model parses under Trino's grammar, passes the
 * portability lint, and runs on DuckDB with the shims over the fixture lake; every YAML test passes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { TrinoSQL } from 'dt-sql-parser';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { toPositional } from '../../functions/core/engine/athena.js';
import { LANDING_FUNCTIONS, lintSql, runModelTests } from '../../functions/core/transform/index.js';
import { runFixture, SQL_DIR, type FixtureRun } from './helpers.js';
import { loadAsOfViews, registerAsOfSources } from '../../functions/core/transform/asof.js';
import { LocalStorage } from '../../functions/core/storage/local.js';
import { readReportSql, REPORT_SQL, type ReportSqlName } from '../../functions/core/transform/report-sql.js';

function sqlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((e) => {
      const p = path.join(dir, e);
      if (statSync(p).isDirectory()) return e === '_shims' ? [] : sqlFiles(p);
      return e.endsWith('.sql') ? [p] : [];
    });
}

const files = sqlFiles(SQL_DIR).filter((f) => !['landing', 'reports', 'incremental', 'snapshots'].some((d) => f.includes(`${path.sep}${d}${path.sep}`)));
const parser = new TrinoSQL();

describe('sql/ models under the Trino grammar and the lint', () => {
  test('should find the model files', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
  });

  test.each(files.map((f) => [path.relative(SQL_DIR, f), f]))('should parse and lint %s cleanly', (_name, file) => {
    const sql = readFileSync(file, 'utf8');
    expect(parser.validate(sql).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`)).toEqual([]);
    expect(lintSql(sql)).toEqual([]);
  });
});

// The landing queries run only on DuckDB (locally and in the landing Lambda), never on Athena: they
// still parse under the Trino grammar and pass the lint with their few DuckDB-only functions named;
// test/unit/lake/land.test.ts runs them on DuckDB.
const landingFiles = sqlFiles(path.join(SQL_DIR, 'landing'));

describe('sql/landing queries under the Trino grammar and the lint', () => {
  test('should find the landing queries', () => {
    expect(landingFiles.map((f) => path.basename(f))).toEqual([
      'dossiers_batch_checked.sql',
      'dossiers_checked.sql',
      'dossiers_counts.sql',
      'dossiers_csv_rejects.sql',
      'dossiers_failed.sql',
      'dossiers_landed.sql',
      'dossiers_nsw_csv.sql',
      'dossiers_portal_csv.sql',
      'dossiers_portal_json.sql',
      'dossiers_profile.sql',
      'dossiers_quarantined.sql',
      'dossiers_vendor_absent.sql',
      'small_repeated.sql',
    ]);
  });

  test.each(landingFiles.map((f) => [path.basename(f), f]))('should parse and lint %s cleanly', (_name, file) => {
    const sql = readFileSync(file, 'utf8');
    expect(parser.validate(sql).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`)).toEqual([]);
    expect(lintSql(sql, { extraFunctions: LANDING_FUNCTIONS })).toEqual([]);
    expect(lintSql(sql).every((i) => i.rule === 'function')).toBe(true);
  });
});

// Parameterised queries over the persisted models or a snapshot's marts (sql/reports/, not models: the
// date-range Biểu 06 and the monthly report's queries): they take $name values, which Athena receives
// as positional `?` parameters (toPositional), so that is the text parsed here.
const reportFiles = sqlFiles(path.join(SQL_DIR, 'reports'));

describe('sql/reports queries under the Trino grammar and the lint', () => {
  test('should find the report queries, each one the loader knows', () => {
    expect(reportFiles.map((f) => path.basename(f))).toEqual([...REPORT_SQL].sort().map((n) => `${n}.sql`));
    expect(reportFiles.length).toBe(9);
  });

  test.each(reportFiles.map((f) => [path.basename(f), f]))('should parse %s with its parameters bound as Athena binds them, and lint it', async (name, file) => {
    const sql = readFileSync(file, 'utf8');
    const names = [...new Set([...sql.replace(/--.*$/gm, '').matchAll(/\$([a-z_]+)/g)].map((m) => m[1]!))];
    const { text, values } = toPositional(sql, Object.fromEntries(names.map((n) => [n, 'x'])));
    expect(values).toHaveLength([...sql.replace(/--.*$/gm, '').matchAll(/\$[a-z_]+/g)].length);
    expect(parser.validate(text).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`)).toEqual([]);
    expect(lintSql(sql)).toEqual([]);
    // The loader reads it (and lints it again) under its own name.
    expect(await readReportSql(name.replace(/\.sql$/, '') as ReportSqlName, SQL_DIR)).toBe(sql.trim());
  });
});

// The transform's own queries (sql/incremental/: which report years an incremental run rebuilds):
// they run on both engines, so they pass the same grammar and lint as the models.
const incrementalFiles = sqlFiles(path.join(SQL_DIR, 'incremental'));

describe('sql/incremental queries under the Trino grammar and the lint', () => {
  test('should find the incremental queries', () => {
    expect(incrementalFiles.map((f) => path.basename(f))).toEqual(['new_file_partitions.sql', 'touched_partitions.sql']);
  });

  test.each(incrementalFiles.map((f) => [path.basename(f), f]))('should parse and lint %s cleanly', (_name, file) => {
    const sql = readFileSync(file, 'utf8');
    expect(parser.validate(sql).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`)).toEqual([]);
    expect(lintSql(sql)).toEqual([]);
  });
});

// The snapshots' as-of views (sql/snapshots/as_of/): not models, but SELECTs Athena runs as views, so
// the same grammar and lint; each runs on DuckDB over the fixture lake's full tables.
const asOfFiles = sqlFiles(path.join(SQL_DIR, 'snapshots'));

describe('sql/snapshots as-of views under the Trino grammar and the lint, and on DuckDB', () => {
  test('should find one as-of view per filtered source', () => {
    expect(asOfFiles.map((f) => path.basename(f))).toEqual(loadAsOfViews(SQL_DIR).map((v) => `${v.source}.sql`));
    expect(asOfFiles.length).toBe(6);
  });

  test.each(asOfFiles.map((f) => [path.basename(f), f]))('should parse and lint %s cleanly', (_name, file) => {
    const sql = readFileSync(file, 'utf8');
    expect(parser.validate(sql).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`)).toEqual([]);
    expect(lintSql(sql)).toEqual([]);
  });

  test('should run every as-of view on DuckDB with the shims over the fixture lake', async () => {
    const run = await runFixture();
    try {
      const views = await registerAsOfSources(run.engine, new LocalStorage(run.lake), '2024-06-30', SQL_DIR);
      for (const v of views) {
        const [all] = await run.rows(`SELECT count(*) AS n FROM ${v.table}`);
        const [asOf] = await run.rows(`SELECT count(*) AS n FROM ${v.source}`);
        expect(Number(asOf!.n), v.source).toBeLessThanOrEqual(Number(all!.n));
      }
    } finally {
      await run.dispose();
    }
  });
});

describe('sql/ seeds as generated SELECTs', () => {
  test('should parse and lint every seed model', async () => {
    const { loadModels } = await import('../../functions/core/transform/index.js');
    const seeds = loadModels(SQL_DIR).filter((m) => m.layer === 'seeds');
    expect(seeds.map((s) => s.name)).toEqual(expect.arrayContaining(['calendar_months', 'score766_indicators']));
    for (const s of seeds) {
      expect(parser.validate(s.sql)).toEqual([]);
      expect(lintSql(s.sql)).toEqual([]);
    }
  });
});

describe('sql/ models on DuckDB over the fixture lake', () => {
  let run: FixtureRun;
  beforeAll(async () => {
    run = await runFixture();
  });
  afterAll(async () => {
    await run?.dispose();
  });

  test('should materialise every model file', () => {
    const names = new Set(run.models.map((m) => m.name));
    for (const f of files) expect(names.has(path.basename(f, '.sql'))).toBe(true);
  });

  test('should pass every YAML test', async () => {
    const results = await runModelTests(run.engine, run.models);
    const failed = results.filter((r) => !r.passed && r.severity === 'error').map((r) => `${r.model}: ${r.test} (${r.failures})${r.detail ?? ''}`);
    expect(failed).toEqual([]);
    expect(results.length).toBeGreaterThan(150);
  });
});
