/**
 * Incremental transforms (docs/architecture.md, "Incremental models"). Models with
 * `materialized: incremental` and `partition_by: [year]` (the report year: every period kind of a year
 * — months, quarters, halves, the year, year-to-date — lives in that year) are rebuilt only in the
 * years the data landed since the last transform touches. What the last transform consumed is kept
 * in a small state object beside the models (models/_state/transform.json): the raw hashes of the
 * landing log, the report periods (int_periods_reported) and a fingerprint of the models' SQL (and the DuckDB shims) and
 * config. A run is full (every partition rebuilt) when there is no state, the models changed, the
 * lake lost a file the state names, a dataset other than dossiers that feeds an incremental model
 * landed a new file (the agency registry, the procedure catalogue: attribution and every period's
 * scaffold depend on them), `--full-refresh` is asked, or the engine keeps no partitions. An
 * incremental run also keeps the `table` models none of whose inputs changed (keptModels).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SQL_DIR } from '../lake/landing-sql.js';
import { z } from 'zod';
import { createError } from '../errors.js';
import type { PartitionSelection, PeriodKey, QueryEngine } from '../engine/types.js';
import type { Storage } from '../storage/types.js';
import { referencedRelations, type TransformModel } from './models.js';
import { lakePrefixLocation } from './sources.js';

/** Where the state of the last transform lives (a key of the lake that holds the models). */
export const STATE_KEY = 'models/_state/transform.json';
/** The model whose rows are the report periods; a period whose bounds moved rebuilds its year. */
export const PERIODS_MODEL = 'int_periods_reported';
/** Datasets whose new files are followed dossier by dossier (others force a full rebuild). */
const FOLLOWED = new Set(['dossiers']);
const HASH = /^[0-9a-f]{16,128}$/;
/** The partition columns the planner knows how to select (partitionPlanner). */
const PARTITION_COLUMNS = new Set(['year', 'receipt_month']);

const TransformState = z
  .object({
    version: z.literal(1),
    fingerprint: z.string(),
    /** Raw hashes of the landing log the last transform read, sorted. */
    consumed: z.array(z.string()),
    /** The report periods then: "type|year|no|start|end|complete", sorted. */
    periods: z.array(z.string()),
    partition_column: z.string(),
  })
  .strict();
export type TransformState = z.infer<typeof TransformState>;

export interface TransformPlan {
  mode: 'full' | 'incremental';
  /** Why (for the log and the summary). */
  reason: string;
  /** Raw hashes in the landing log now (what the state records after the run). */
  logged: string[];
  /** Dossier files landed since the last transform (incremental mode). */
  newFiles: string[];
  /**
   * Datasets of the landing log with a file the last transform did not read (incremental mode; the
   * `table` models reading none of them, directly or through other models, are kept: keptModels).
   */
  changedDatasets?: string[];
  previous?: TransformState;
}

/** The models' SQL and config: a change means the kept partitions may be stale. */
export function modelsFingerprint(models: readonly TransformModel[]): string {
  const h = createHash('sha256');
  for (const m of models) {
    // The YAML tests and columns too: a kept model's tests are not re-run (keptModels).
    h.update(JSON.stringify([m.name, m.layer, m.sql, m.materialized ?? 'table', m.partitionBy ?? [], m.grain ?? [], m.persist ?? true, m.tests, m.columns, m.incrementalScope ?? 'partition']));
    h.update('\n');
  }
  h.update(readIncrementalSql('new_file_partitions'));
  h.update(readIncrementalSql('touched_partitions'));
  // The DuckDB shims change what the models compute (a type, a date difference) without changing their text.
  h.update(readShimsSql());
  return h.digest('hex');
}

/** The src_* datasets a model reads, directly or through other models. */
function upstreamDatasets(models: readonly TransformModel[], names: readonly string[]): Set<string> {
  const byName = new Map(models.map((m) => [m.name, m]));
  const seen = new Set<string>();
  const datasets = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const m = byName.get(name);
    if (!m) {
      if (name.startsWith('src_')) datasets.add(name.slice(4));
      return;
    }
    for (const r of referencedRelations(m.sql)) visit(r);
  };
  names.forEach(visit);
  return datasets;
}

export async function readState(storage: Storage): Promise<TransformState | undefined> {
  const body = await storage.tryGet(STATE_KEY);
  if (!body) return undefined;
  const parsed = TransformState.safeParse(JSON.parse(body.toString('utf8')));
  return parsed.success ? parsed.data : undefined;
}

/** Decide whether this transform may rebuild only some partitions. */
export async function planTransform(
  engine: QueryEngine,
  storage: Storage,
  models: readonly TransformModel[],
  opts: { fullRefresh?: boolean; persistent?: boolean },
): Promise<TransformPlan> {
  const incremental = models.filter((m) => m.materialized === 'incremental');
  if (opts.persistent === false) return { mode: 'full', reason: 'a transform into a scratch output (a snapshot) is always full', logged: [], newFiles: [] };
  const logRows = await engine.query('SELECT raw_hash, dataset FROM src_landing_log');
  const logged = [...new Set(logRows.map((r) => String(r.raw_hash)))].sort();
  const full = (reason: string, previous?: TransformState): TransformPlan => ({ mode: 'full', reason, logged, newFiles: [], previous });
  if (incremental.length === 0) return full('no incremental models');
  if (!engine.incremental) return full(`the ${engine.name} engine keeps no partitions between runs`);
  if (opts.fullRefresh) return full('--full-refresh');
  const previous = await readState(storage);
  if (!previous) return full('no state of a previous transform');
  if (previous.fingerprint !== modelsFingerprint(models)) return full('the models changed since the last transform', previous);
  if (previous.partition_column !== incremental[0]!.partitionBy![0]) return full('the partition column changed', previous);
  const now = new Set(logged);
  const lost = previous.consumed.filter((h) => !now.has(h));
  if (lost.length > 0) return full(`${lost.length} file(s) the last transform read are no longer in the landing log`, previous);
  const before = new Set(previous.consumed);
  const fresh = logRows.filter((r) => !before.has(String(r.raw_hash)));
  const feeding = upstreamDatasets(
    models,
    incremental.map((m) => m.name),
  );
  const forcing = [...new Set(fresh.map((r) => String(r.dataset)).filter((d) => feeding.has(d) && !FOLLOWED.has(d)))].sort();
  if (forcing.length > 0) return full(`new ${forcing.join(', ')} file(s): every period depends on them`, previous);
  const newFiles = [...new Set(fresh.filter((r) => FOLLOWED.has(String(r.dataset))).map((r) => String(r.raw_hash)))].sort();
  for (const h of newFiles) if (!HASH.test(h)) throw createError('transform', `Failed to plan the transform: raw hash "${h}" of the landing log is not a hex digest`);
  const changedDatasets = [...new Set(fresh.map((r) => String(r.dataset)))].sort();
  return { mode: 'incremental', reason: `${newFiles.length} new dossier file(s)`, logged, newFiles, changedDatasets, previous };
}

/** Sources that change whenever any file lands (the landing log itself, the quarantine of every dataset). */
const EVERY_LANDING = new Set(['src_landing_log', 'src_quarantine']);
/**
 * Sources that change with no file landing, so the landing log cannot tell: the files waiting for an
 * operator (a land that only rejects, or an operator's discard). Read whole by every run (a few rows).
 */
const ANY_RUN = new Set(['src_rejected_files']);

/**
 * The `table` models an incremental run keeps as the last run wrote them: none of their inputs
 * changed — no source they read, directly or through other models, got a file the last transform
 * did not read (src_<dataset> by the landing log's dataset; src_landing_log and src_quarantine by any
 * new file), and no model they read had a changed input. The state's fingerprint (SQL, config,
 * YAML tests and columns) already made the run full if any model changed. A model rebuilt only
 * because its output was missing gives the rows it gave before, so it does not make its readers
 * rebuild. Empty in a full run. The engine still rebuilds a kept model it has no output of
 * (QueryEngine.reuse).
 */
export function keptModels(plan: TransformPlan, models: readonly TransformModel[]): Set<string> {
  if (plan.mode !== 'incremental' || !plan.changedDatasets) return new Set();
  const datasets = new Set(plan.changedDatasets);
  const sourceChanged = (name: string): boolean =>
    ANY_RUN.has(name) ? true : EVERY_LANDING.has(name) ? datasets.size > 0 : name.startsWith('src_') ? datasets.has(name.slice(4)) : true;
  const byName = new Map(models.map((m) => [m.name, m]));
  const changed = new Map<string, boolean>();
  const isChanged = (m: TransformModel): boolean => {
    let c = changed.get(m.name);
    if (c === undefined) {
      changed.set(m.name, true); // a cycle (the loader refuses them) counts as changed
      c = referencedRelations(m.sql).some((r) => {
        const dep = byName.get(r);
        return dep ? isChanged(dep) : sourceChanged(r);
      });
      changed.set(m.name, c);
    }
    return c;
  };
  return new Set(models.filter((m) => (m.materialized ?? 'table') === 'table' && !isChanged(m)).map((m) => m.name));
}

/**
 * The models as an incremental run schedules them: the planner's queries (sql/incremental/) run when the
 * first incremental model asks for its partitions, and read a model too (`calendar_months`, a seed that an
 * incremental run keeps as a view of its file): every incremental model waits for the models those queries
 * read, or on another lane the planner could find the relation not made yet ("Table with name
 * calendar_months does not exist").
 */
export function withPlannerInputs(models: readonly TransformModel[]): TransformModel[] {
  const names = new Set(models.map((m) => m.name));
  const reads = [...new Set([...referencedRelations(readIncrementalSql('new_file_partitions')), ...referencedRelations(readIncrementalSql('touched_partitions'))])].filter((r) => names.has(r));
  return models.map((m) => (m.materialized === 'incremental' ? { ...m, dependsOn: [...new Set([...m.dependsOn, ...reads])].sort() } : m));
}

const incrementalSql = new Map<string, string>();
/** A query of sql/incremental/ as the engine runs it: comments and the final semicolon left out. */
function readIncrementalSql(name: 'new_file_partitions' | 'touched_partitions'): string {
  let sql = incrementalSql.get(name);
  if (sql === undefined) {
    sql = readFileSync(path.join(SQL_DIR, 'incremental', `${name}.sql`), 'utf8')
      .split('\n')
      .filter((l) => !l.trimStart().startsWith('--'))
      .join('\n')
      .trim()
      .replace(/;\s*$/, '');
    incrementalSql.set(name, sql);
  }
  return sql;
}

/** `sql` with every `from` replaced by `to`; a query that lacks it is refused (its text and the runner's disagree). */
function substitute(sql: string, name: string, from: string, to: string): string {
  if (!sql.includes(from)) throw createError('transform', `Failed to plan the transform: sql/incremental/${name}.sql has no "${from}"`);
  return sql.replaceAll(from, to);
}

let shimsSql: string | undefined;
function readShimsSql(): string {
  shimsSql ??= readFileSync(path.join(SQL_DIR, '_shims', 'duckdb.sql'), 'utf8');
  return shimsSql;
}

/** The report periods now, as the state records them. */
export async function currentPeriods(engine: QueryEngine, models: readonly TransformModel[]): Promise<string[]> {
  if (!models.some((m) => m.name === PERIODS_MODEL)) return [];
  const rows = await engine.query(
    `SELECT period_type, year, period_no, CAST(period_start AS VARCHAR) AS period_start, CAST(period_end AS VARCHAR) AS period_end, is_complete FROM ${PERIODS_MODEL}`,
  );
  return rows.map((r) => [r.period_type, r.year, r.period_no, r.period_start, r.period_end, r.is_complete].map(String).join('|')).sort();
}

/**
 * What the dossier files landed since the last transform touch: years, months of receipt (yyyymm),
 * and the spans of days their changed versions cover (each day of receipt to the last day a version
 * received that day reaches, ISO dates; 9999-12-31 while open).
 */
interface Touched {
  years: number[];
  months: number[];
  spans: Span[];
}

export interface Span {
  from: string;
  to: string;
}

/**
 * The partitions the dossier files landed since the last transform touch
 * (sql/incremental/touched_partitions.sql): the report years of every version of every dossier a new
 * file changed, and its years of receipt and finish; its months of receipt; and the spans of days
 * its versions cover (periodScope: the report periods they reach). Reads only sources
 * and the calendar seed, so it can run before any model that depends on dossiers
 * (stg_lake__dossiers, the first incremental model, needs it).
 */
async function touchedByFiles(engine: QueryEngine, plan: TransformPlan, lake: Pick<Storage, 'locate'>): Promise<Touched> {
  if (plan.newFiles.length === 0) return { years: [], months: [], spans: [] };
  await engine.registerSource('src_superseded_dossiers', lakePrefixLocation(lake, 'landed/_superseded/dossiers'), { hivePartitioning: true });
  const values = `select raw_hash from (values ${plan.newFiles.map((h) => `('${h}')`).join(', ')}) as v (raw_hash)`;
  const newFiles = (name: 'new_file_partitions' | 'touched_partitions'): string =>
    substitute(readIncrementalSql(name), name, 'select raw_hash from incremental_new_files', values);
  // First the partitions holding a row of a new file (raw_hash and the partition columns only), then
  // the changed dossiers' versions in those partitions: reading every landed dossier's id and dates
  // twice over was 0.6–0.8 s of a month's run at 10 M dossiers (bench/history.md, change 93).
  const parts = await engine.query(newFiles('new_file_partitions'));
  if (parts.length === 0) return { years: [], months: [], spans: [] };
  const list = (column: 'source' | 'year' | 'month'): string => {
    const vs = [...new Set(parts.map((r) => String(r[column])))];
    if (column === 'source') return vs.sort().map((v) => `'${v.replaceAll("'", "''")}'`).join(', ');
    const ns = vs.map(Number);
    const bad = vs.find((v, i) => !Number.isSafeInteger(ns[i]));
    if (bad !== undefined) throw createError('transform', `Failed to plan the transform: a landed dossier partition has ${column} = ${bad}`);
    return ns.sort((a, b) => a - b).join(', ');
  };
  let sql = newFiles('touched_partitions');
  for (const column of ['source', 'year', 'month'] as const) sql = substitute(sql, 'touched_partitions', `select ${column} from incremental_new_partitions`, list(column));
  const rows = await engine.query(sql);
  const distinct = (xs: unknown[]): number[] =>
    [...new Set(xs.filter((x) => x !== null && x !== undefined).map(Number))].filter((v) => Number.isSafeInteger(v)).sort((a, b) => a - b);
  const spans = rows
    .filter((r) => r.received_date !== null && r.received_date !== undefined)
    .map((r) => ({ from: isoDate(r.received_date, 'received_date'), to: isoDate(r.reached_date, 'reached_date') }));
  return { years: distinct(rows.map((r) => r.year)), months: distinct(rows.map((r) => r.receipt_month)), spans };
}

function isoDate(v: unknown, column: string): string {
  const s = String(v);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) throw createError('transform', `Failed to plan the transform: sql/incremental/touched_partitions.sql gave ${column} = ${s}, not a date (yyyy-mm-dd)`);
  return s;
}

/** A report period as the state records it ("type|year|no|start|end|complete"). */
interface StatePeriod {
  key: string;
  period_type: string;
  year: number;
  period_no: number;
  start: string;
  end: string;
  line: string;
}

function parsePeriods(lines: readonly string[]): Map<string, StatePeriod> {
  const out = new Map<string, StatePeriod>();
  for (const line of lines) {
    const [period_type = '', year = '', no = '', start = '', end = ''] = line.split('|');
    const key = `${period_type}|${year}|${no}`;
    out.set(key, { key, period_type, year: Number(year), period_no: Number(no), start, end, line });
  }
  return out;
}

/** The periods added, removed or changed (bounds, completeness) between two lists of the state's period lines. */
function movedPeriods(before: ReadonlyMap<string, StatePeriod>, after: ReadonlyMap<string, StatePeriod>): StatePeriod[] {
  const out: StatePeriod[] = [];
  for (const [k, p] of after) if (before.get(k)?.line !== p.line) out.push(p);
  for (const [k, p] of before) if (!after.has(k)) out.push(p);
  return out;
}

/** The years whose report periods moved against the state (a new month, the running period's end, a year that opens). */
function touchedByPeriods(plan: TransformPlan, current: readonly string[]): number[] {
  const years = movedPeriods(parsePeriods(plan.previous?.periods ?? []), parsePeriods(current)).map((p) => p.year);
  return [...new Set(years)].filter((y) => Number.isSafeInteger(y)).sort((a, b) => a - b);
}

/**
 * The report periods a run with `incremental_scope: period` recomputes in each rebuilt year
 * (docs/architecture.md, "Incremental models"). A period's rows depend on the dossiers that count in
 * it (received by its end, not finished before its start: int_dossiers_attributed), on its own bounds
 * and on the registry (a new registry file makes the run full). So in a year the last run built, the
 * periods to recompute are those a changed dossier's span reaches (every version, old and new: a
 * period it left and one it entered) and those that moved against the state (added, removed — whose
 * rows go —, new bounds or completeness); the others' rows are kept. A year the state did not hold,
 * or whose every period is reached, is recomputed whole (not listed in `years`). Undefined when no
 * year is narrowed.
 */
export function periodScope(years: readonly number[], current: readonly string[], previous: readonly string[], spans: readonly Span[]): { years: number[]; keys: PeriodKey[] } | undefined {
  const before = parsePeriods(previous);
  const after = parsePeriods(current);
  const moved = new Set(movedPeriods(before, after).map((p) => p.key));
  const heldBefore = new Set([...before.values()].map((p) => p.year));
  const narrowed: number[] = [];
  const keys: PeriodKey[] = [];
  for (const y of [...new Set(years)].sort((a, b) => a - b)) {
    if (!heldBefore.has(y)) continue;
    const ofYear = [...after.values()].filter((p) => p.year === y);
    const reached = ofYear.filter((p) => moved.has(p.key) || spans.some((s) => s.from <= p.end && s.to >= p.start));
    if (reached.length === ofYear.length) continue;
    const gone = [...before.values()].filter((p) => p.year === y && !after.has(p.key));
    narrowed.push(y);
    for (const p of [...reached, ...gone].sort((a, b) => a.key.localeCompare(b.key))) keys.push({ period_type: p.period_type, year: p.year, period_no: p.period_no });
  }
  return narrowed.length > 0 ? { years: narrowed, keys } : undefined;
}

/** Names of the models that read `name`, directly or through other models. */
function downstreamOf(models: readonly TransformModel[], name: string): Set<string> {
  const out = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const m of models) {
      if (out.has(m.name)) continue;
      if (m.dependsOn.some((d) => d === name || out.has(d))) {
        out.add(m.name);
        grew = true;
      }
    }
  }
  return out;
}

/**
 * The partitions each incremental model of an incremental run rebuilds, asked model by model in
 * dependency order. A model partitioned by the month of receipt (`receipt_month`: stg_lake__dossiers,
 * int_dossiers_classified — whose rows are each dossier's own, whatever the periods) rebuilds the
 * months of receipt of the changed dossiers' versions. One partitioned by `year` that reads the report
 * periods (int_periods_reported, directly or not) rebuilds the years the new files touch and the
 * years whose periods moved; one that does not only the years the new files touch. `selections()`
 * holds each model's (its tests' scope); `selection()` is the union of the years, the run's report
 * years (the summary and the log).
 */
export function partitionPlanner(engine: QueryEngine, plan: TransformPlan, models: readonly TransformModel[], lake: Pick<Storage, 'locate'>) {
  for (const m of models) {
    const c = m.materialized === 'incremental' ? m.partitionBy?.[0] : undefined;
    if (c !== undefined && !PARTITION_COLUMNS.has(c)) {
      throw createError('transform', `Failed to plan the transform: ${m.name} is partitioned by ${c}; an incremental model is partitioned by ${[...PARTITION_COLUMNS].join(' or ')}`);
    }
  }
  const readsPeriods = downstreamOf(models, PERIODS_MODEL);
  for (const m of models) {
    if (m.incrementalScope === 'period' && !readsPeriods.has(m.name)) {
      throw createError('transform', `Failed to plan the transform: ${m.name} has incremental_scope: period but does not read ${PERIODS_MODEL}`);
    }
  }
  let files: Promise<Touched> | undefined;
  let all: Promise<number[]> | undefined;
  let current: Promise<string[]> | undefined;
  let scoped: Promise<PartitionSelection['periods']> | undefined;
  const byFiles = (): Promise<Touched> => (files ??= touchedByFiles(engine, plan, lake));
  const periodsNow = (): Promise<string[]> => (current ??= currentPeriods(engine, models));
  const byAll = (): Promise<number[]> =>
    (all ??= (async () => [...new Set([...(await byFiles()).years, ...touchedByPeriods(plan, await periodsNow())])].sort((a, b) => a - b))());
  const byPeriods = (): Promise<PartitionSelection['periods']> =>
    (scoped ??= (async () => periodScope(await byAll(), await periodsNow(), plan.previous?.periods ?? [], (await byFiles()).spans))());
  const asked = new Map<string, PartitionSelection>();
  const select = async (m: TransformModel): Promise<PartitionSelection> => {
    const column = m.partitionBy![0]!;
    if (column === 'receipt_month') {
      const { months } = await byFiles();
      // A month of receipt lies in its year: stated on `year` too (the landed dossiers' partition column),
      // and on `month` for a model whose YAML lists that column (stg_lake__dossiers: the landed
      // partition's month). Declared, not asked of the engine: binding the model to list its columns
      // read the footers of every landed file, as much as the month's pruning saved at 1 M (change 71).
      const years = [...new Set(months.map((v) => Math.floor(v / 100)))];
      const monthsOfYear = [...new Set(months.map((v) => v % 100))].sort((a, b) => a - b);
      const prune = m.columns.some((c) => c.name === 'month') ? { prune: [{ column: 'month', values: monthsOfYear }] } : {};
      return { column, values: months, within: { column: 'year', values: years }, ...prune };
    }
    if (m.incrementalScope === 'period') {
      const periods = await byPeriods();
      return { column, values: await byAll(), ...(periods ? { periods } : {}) };
    }
    return { column, values: readsPeriods.has(m.name) ? await byAll() : (await byFiles()).years };
  };
  return {
    forModel: async (m: TransformModel): Promise<PartitionSelection> => {
      const s = await select(m);
      asked.set(m.name, s);
      return s;
    },
    /** Each incremental model's partitions as the run rebuilt them (its tests' scopes). */
    selections: (): ReadonlyMap<string, PartitionSelection> => asked,
    /**
     * The years the run rebuilds (once the models ran), with the report periods recomputed in those the
     * last run built (the models with incremental_scope: period); undefined before any incremental model ran.
     */
    selection: async (): Promise<PartitionSelection | undefined> => {
      const periods = scoped ? await scoped : undefined;
      return all ? { column: 'year', values: await all, ...(periods ? { periods } : {}) } : files ? { column: 'year', values: (await files).years } : undefined;
    },
  };
}

export async function writeState(storage: Storage, models: readonly TransformModel[], plan: TransformPlan, periods: string[]): Promise<void> {
  const column = models.find((m) => m.materialized === 'incremental')?.partitionBy?.[0];
  if (!column) return;
  const state: TransformState = { version: 1, fingerprint: modelsFingerprint(models), consumed: plan.logged, periods, partition_column: column };
  await storage.put(STATE_KEY, `${JSON.stringify(state)}\n`, { contentType: 'application/json' });
}
