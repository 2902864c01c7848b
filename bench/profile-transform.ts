/**
 * `npx tsx bench/profile-transform.ts <lakeDir> [--runs 3] [--memory 2GB]`
 *
 * Where the transform's time goes, model by model, on an existing lake (landed by the pipeline or
 * the bench): the CREATE TABLE of the model, the sorted Parquet COPY the engine writes, and the
 * model's YAML tests, each timed separately (median of --runs); models with `persist: false` are
 * not copied unless --persist-all. Nothing in the lake is changed: the
 * Parquet files go to a scratch directory that is removed at the end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { DuckDbEngine } from '../functions/core/engine/duckdb-engine.js';
import { PARQUET_OPTIONS } from '../functions/core/engine/parquet.js';
import { loadModels, registerLakeSources, runModelTests } from '../functions/core/transform/index.js';
import { SQL_DIR } from '../functions/core/lake/landing-sql.js';

const o = new Command()
  .argument('<lakeDir>')
  .option('--runs <n>', 'runs (median)', '3')
  .option('--memory <limit>', 'DuckDB memory_limit', '2GB')
  .option('--top <n>', 'models to print', '8')
  .option('--persist-all', 'also write the models marked persist: false (the transform before bench/history.md change 6)', false)
  .parse();
const lakeDir = path.resolve(o.args[0]!);
const opts = o.opts<{ runs: string; memory: string; top: string; persistAll: boolean }>();
const runs = Number(opts.runs);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const now = (): number => performance.now() / 1000;

type Row = { model: string; create: number[]; copy: number[]; tests: number[] };
const rows = new Map<string, Row>();
const totals: number[] = [];
const scratch = await mkdtemp(path.join(os.tmpdir(), 'profile-transform-'));
try {
  for (let r = 0; r < runs; r++) {
    const engine = await DuckDbEngine.create({ lakeRoot: scratch, workDir: scratch, writeParquet: false, duckdb: { memoryLimit: opts.memory } });
    try {
      const t0 = now();
      await registerLakeSources(engine, lakeDir);
      const models = loadModels(SQL_DIR);
      for (const m of models) {
        const row = rows.get(m.name) ?? { model: m.name, create: [], copy: [], tests: [] };
        rows.set(m.name, row);
        let t = now();
        await engine.materialize(m);
        row.create.push(now() - t);
        t = now();
        const order = m.grain?.length ? m.grain.join(', ') : 'ALL';
        if (m.persist === false && !opts.persistAll) row.copy.push(0);
        else await engine.query(`COPY (SELECT * FROM ${m.name} ORDER BY ${order}) TO '${path.join(scratch, `${m.name}.parquet`)}' (${PARQUET_OPTIONS})`);
        if (m.persist !== false || opts.persistAll) row.copy.push(now() - t);
      }
      // Tests once every model exists (a relationship test reads a model built after its own).
      for (const m of models) {
        const t = now();
        await runModelTests(engine, [m]);
        rows.get(m.name)!.tests.push(now() - t);
      }
      totals.push(now() - t0);
    } finally {
      await engine.close();
    }
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}

const list = [...rows.values()].map((r) => ({ ...r, c: median(r.create), p: median(r.copy), t: median(r.tests) }));
const sum = (k: 'c' | 'p' | 't'): number => list.reduce((a, r) => a + r[k], 0);
console.log(`transform of ${lakeDir}: ${median(totals).toFixed(2)} s (median of ${runs}); create ${sum('c').toFixed(2)}, sorted copy ${sum('p').toFixed(2)}, tests ${sum('t').toFixed(2)}`);
console.log('| model | create (s) | sorted copy (s) | tests (s) |\n|---|---:|---:|---:|');
for (const r of list.sort((a, b) => b.c + b.p + b.t - (a.c + a.p + a.t)).slice(0, Number(opts.top))) {
  console.log(`| ${r.model} | ${r.c.toFixed(2)} | ${r.p.toFixed(2)} | ${r.t.toFixed(2)} |`);
}
