/**
 * The YAML tests as SQL checks: each check counts failing rows (0 = pass). Table and column names
 * come only from validated model files (lower-case identifiers); expressions come from the YAML in
 * sql/ and pass the same portability lint as the models.
 */
import pMap from 'p-map';
import { createError } from '../errors.js';
import type { PartitionSelection, QueryEngine } from '../engine/types.js';
import { lintSql } from './lint.js';
import { NAME, type TestSpec, type TransformModel } from './models.js';

export interface TestCheck {
  readonly model: string;
  readonly test: string;
  readonly severity: 'error' | 'warn';
  /** SELECT returning one row with column `failures`; '' for a check done in code (columns_match) or not run. */
  readonly sql: string;
}

export interface TestResult extends TestCheck {
  readonly failures: number;
  readonly passed: boolean;
  /** Extra explanation (e.g. which columns differ). */
  readonly detail?: string;
  /** Wall-clock seconds the check took. */
  readonly seconds?: number;
}

function id(name: string): string {
  if (!NAME.test(name)) throw createError('transform', `Failed to build a test: "${name}" is not a lower-case identifier`);
  return name;
}

function partitionValue(v: number): string {
  if (!Number.isSafeInteger(v)) throw createError('transform', `Failed to build a test: partition value ${v} is not an integer`);
  return String(v);
}

function value(v: string | number | boolean): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw createError('transform', `Failed to build a test: ${v} is not a finite number`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  return `'${v.replaceAll("'", "''")}'`;
}

function describeTest(t: TestSpec): string {
  switch (t.kind) {
    case 'not_null':
    case 'unique':
    case 'accepted_values':
      return `${t.kind}(${t.column})`;
    case 'relationships':
      return `relationships(${t.column} → ${t.to}.${t.field})`;
    case 'expression_is_true':
      return `expression_is_true(${t.expression})`;
    case 'unique_combination_of_columns':
      return `unique(${t.columns.join(', ')})`;
    case 'columns_match':
      return 'columns_match';
    case 'not_empty':
      return 'not_empty';
  }
}

/**
 * Whether a test of an incremental model may check the partitions a run rebuilt instead of the
 * whole model (docs/architecture.md, "Incremental models"): a row test (not_null, accepted_values,
 * expression_is_true, the child side of relationships) reads one row at a time, and a uniqueness
 * test whose columns hold the partition column cannot find a duplicate across partitions. A
 * uniqueness test without it (int_dossiers_classified's dossier_id) is a property across
 * partitions, and not_empty / columns_match are properties of the whole model: they read it all.
 */
export function scopesToPartitions(t: TestSpec, column: string): boolean {
  switch (t.kind) {
    case 'not_null':
    case 'accepted_values':
    case 'expression_is_true':
    case 'relationships':
      return true;
    case 'unique':
      return t.column === column;
    case 'unique_combination_of_columns':
      return t.columns.includes(column);
    case 'not_empty':
    case 'columns_match':
      return false;
  }
}

/**
 * The SQL of one test against model `m`; with `scope`, only the rows of those partitions (a
 * non-empty selection; see scopesToPartitions for the tests that may take one).
 */
export function testSql(m: string, t: TestSpec, scope?: PartitionSelection): string {
  const tbl = id(m);
  if (scope && scope.values.length === 0) throw createError('transform', `Failed to build test ${describeTest(t)} of ${m}: an empty partition selection`);
  const from = (alias?: string): string => fromScoped(m, scope, alias);
  switch (t.kind) {
    case 'not_null':
      return `SELECT count(*) AS failures FROM ${from()} WHERE ${rowFailure(t)}`;
    case 'unique':
      return `SELECT count(*) AS failures FROM (SELECT ${id(t.column)} FROM ${from()} WHERE ${id(t.column)} IS NOT NULL GROUP BY ${id(t.column)} HAVING count(*) > 1) AS dup`;
    case 'unique_combination_of_columns': {
      const cols = t.columns.map(id).join(', ');
      return `SELECT count(*) AS failures FROM (SELECT ${cols} FROM ${from()} GROUP BY ${cols} HAVING count(*) > 1) AS dup`;
    }
    case 'accepted_values':
      return `SELECT count(*) AS failures FROM ${from()} WHERE ${rowFailure(t)}`;
    case 'relationships':
      return (
        `SELECT count(*) AS failures FROM ${from('child')} WHERE child.${id(t.column)} IS NOT NULL ` +
        `AND NOT EXISTS (SELECT 1 FROM ${id(t.to)} AS parent WHERE parent.${id(t.field)} = child.${id(t.column)})`
      );
    case 'expression_is_true': {
      const issues = lintSql(`select * from ${tbl} where ${t.expression}`);
      if (issues.length > 0) throw createError('transform', `Failed to build test ${describeTest(t)} of ${m}: ${issues[0]!.message}`);
      return `SELECT count(*) AS failures FROM ${from()} WHERE ${rowFailure(t)}`;
    }
    case 'not_empty':
      return `SELECT CASE WHEN count(*) = 0 THEN 1 ELSE 0 END AS failures FROM ${tbl}`;
    case 'columns_match':
      // Done in code: the mart's columns from the engine (QueryEngine.columns), compared with the YAML.
      return '';
  }
}

/**
 * A uniqueness test whose key lacks the partition column (int_dossiers_classified's dossier_id: a
 * property across partitions), in an incremental run that rebuilt `scope`: the rebuilt partitions'
 * keys must be unique among themselves and absent from every other partition. The other partitions
 * passed the same check when they were written and have not changed since (a row that moved between
 * partitions rebuilds both), so this finds every duplicate the whole-model test would find, while
 * hashing only the rebuilt keys, not every key of the model (10 M dossiers: 1.2–1.5 → 0.5 s;
 * bench/history.md, change 39). Each duplicated key counts once, as in the whole-model test.
 */
export function uniqueAgainstRestSql(m: string, t: UniqueTest, scope: PartitionSelection): string {
  if (scope.values.length === 0) throw createError('transform', `Failed to build test ${describeTest(t)} of ${m}: an empty partition selection`);
  const tbl = id(m);
  const col = id(scope.column);
  const values = scope.values.map(partitionValue).join(', ');
  const rebuilt = `(SELECT * FROM ${tbl} WHERE ${col} IN (${values}))`;
  const others = `${col} NOT IN (${values})`;
  if (t.kind === 'unique') {
    const k = id(t.column);
    return (
      `SELECT count(*) AS failures FROM (` +
      `SELECT ${k} FROM ${rebuilt} AS ${tbl} WHERE ${k} IS NOT NULL GROUP BY ${k} HAVING count(*) > 1 ` +
      `UNION SELECT o.${k} FROM ${tbl} AS o WHERE o.${others} AND o.${k} IN (SELECT r.${k} FROM ${rebuilt} AS r WHERE r.${k} IS NOT NULL)` +
      `) AS dup`
    );
  }
  const cols = t.columns.map(id);
  const same = cols.map((c) => `r.${c} IS NOT DISTINCT FROM o.${c}`).join(' AND ');
  return (
    `SELECT count(*) AS failures FROM (` +
    `SELECT ${cols.join(', ')} FROM ${rebuilt} AS ${tbl} GROUP BY ${cols.join(', ')} HAVING count(*) > 1 ` +
    `UNION SELECT ${cols.map((c) => `o.${c}`).join(', ')} FROM ${tbl} AS o WHERE o.${others} AND EXISTS (SELECT 1 FROM ${rebuilt} AS r WHERE ${same})` +
    `) AS dup`
  );
}

/** The model's rows, or with `scope` only those of its partitions, as a FROM item named `alias` (default: the model). */
function fromScoped(m: string, scope: PartitionSelection | undefined, alias?: string): string {
  const tbl = id(m);
  if (!scope) return alias ? `${tbl} AS ${alias}` : tbl;
  return `(SELECT * FROM ${tbl} WHERE ${id(scope.column)} IN (${scope.values.map(partitionValue).join(', ')})) AS ${alias ?? tbl}`;
}

type RowTest = Extract<TestSpec, { kind: 'not_null' | 'accepted_values' | 'expression_is_true' | 'relationships' }>;

type UniqueTest = Extract<TestSpec, { kind: 'unique' | 'unique_combination_of_columns' }>;

function isUniqueTest(t: TestSpec): t is UniqueTest {
  return t.kind === 'unique' || t.kind === 'unique_combination_of_columns';
}

function isRowTest(t: TestSpec): t is RowTest {
  return t.kind === 'not_null' || t.kind === 'accepted_values' || t.kind === 'expression_is_true' || t.kind === 'relationships';
}

/** The condition a failing row of a row test meets (NULL, like false, is not a failure: WHERE and count_if agree). */
function rowFailure(t: RowTest): string {
  switch (t.kind) {
    case 'not_null':
      return `${id(t.column)} IS NULL`;
    case 'accepted_values':
      return `${id(t.column)} IS NOT NULL AND ${id(t.column)} NOT IN (${t.values.map(value).join(', ')})`;
    case 'expression_is_true':
      return `NOT (${t.expression})`;
    case 'relationships':
      // The rows testSql's NOT EXISTS counts, as a condition on the row (the parent's column qualified:
      // unqualified, a parent without it would bind the child's own column). The parent's NULLs are left
      // out, so the IN is never NULL for a child value that is not.
      return `${id(t.column)} IS NOT NULL AND NOT (${id(t.column)} IN (SELECT _parent.${id(t.field)} FROM ${id(t.to)} AS _parent WHERE _parent.${id(t.field)} IS NOT NULL))`;
  }
}

/**
 * The row tests of one model (not_null, accepted_values, expression_is_true, relationships) counted in one pass:
 * `count_if(<failure>)` per test over the same rows, instead of one scan per test. Used on the
 * embedded engine, where a model may be a view (an incremental `persist: false` step) that every
 * scan recomputes; each result still carries its own test's SQL (testSql), which counts the same rows.
 */
export function rowTestsSql(m: string, tests: readonly TestSpec[], scope?: PartitionSelection, byPartition?: string, unique?: TestSpec): string {
  const rows = tests.filter(isRowTest);
  if (rows.length === 0 && !byPartition) throw createError('transform', `Failed to batch the row tests of ${m}: none given`);
  for (const t of rows) testSql(m, t, scope); // the same checks (identifiers, lint, scope) as one by one
  const counts = rows.map((t, i) => `count_if(${rowFailure(t)}) AS f${i}`);
  if (!byPartition) return `SELECT ${counts.join(', ')} FROM ${fromScoped(m, scope)}`;
  // The same counts per partition, with each partition's rows (summed by the caller), and with `unique`
  // (a uniqueness test holding the partition column) its keys and their distinct hashes per partition,
  // as uniqueByHashWithRowTestsSql counts them over one scope.
  const col = id(byPartition);
  const distinct = unique ? [hashCounts(foldParts(m, unique, [], scope))] : [];
  return `SELECT ${[`${col} AS _partition`, 'count(*) AS _rows', ...counts, ...distinct].join(', ')} FROM ${fromScoped(m, scope)} GROUP BY ${col}`;
}

/**
 * A uniqueness test and the model's row tests counted by one GROUP BY over the same rows (embedded
 * engine; runModelTests decides when the rows are the same): the uniqueness failures as the test
 * counts them (each duplicated key once; `unique` leaves NULL keys out) in `failures`, and in `_failed`
 * the rows failing any row test (0 in a passing run: each test then has 0; otherwise the caller
 * counts each test on its own). The row tests add one count per group, not one per test, so the
 * GROUP BY holds no more than the uniqueness test's own (int_dossiers_attributed: 6 M keys a year at
 * 10 M dossiers), and the rows are computed once instead of twice (bench/history.md, change 43).
 */
export function uniqueWithRowTestsSql(m: string, unique: TestSpec, tests: readonly TestSpec[], scope?: PartitionSelection): string {
  const { u, key, anyFailure, from } = foldParts(m, unique, tests, scope);
  const duplicate = u.kind === 'unique' ? `_n > 1 AND ${key[0]} IS NOT NULL` : '_n > 1';
  return (
    `SELECT count_if(${duplicate}) AS failures, coalesce(sum(_f), 0) AS _failed FROM (` +
    `SELECT ${key.join(', ')}, count(*) AS _n, count_if(${anyFailure}) AS _f FROM ${from} GROUP BY ${key.join(', ')}` +
    `) AS keys`
  );
}

/**
 * The same fold as uniqueWithRowTestsSql without a GROUP BY: the keys (`_keys`), their distinct hashes
 * (`_distinct`) and the rows failing any row test (`_failed`) in one ungrouped pass. Equal keys hash
 * alike, so as many distinct hashes as keys proves the keys unique (0 failures); fewer means a
 * duplicate or a hash collision, and the caller counts the failures with uniqueWithRowTestsSql. A set
 * of 64-bit hashes costs a third of grouping the keys themselves (6 M keys of int_dossiers_attributed:
 * 0.55 s against 1.5–1.9 s; bench/history.md, change 51). DuckDB's `hash()`: embedded engine only.
 */
export function uniqueByHashWithRowTestsSql(m: string, unique: TestSpec, tests: readonly TestSpec[], scope?: PartitionSelection): string {
  const parts = foldParts(m, unique, tests, scope);
  return `SELECT ${hashCounts(parts)}, count_if(${parts.anyFailure}) AS _failed FROM ${parts.from}`;
}

/** A uniqueness test's keys (`_keys`) and their distinct 64-bit hashes (`_distinct`): equal counts prove the keys unique. */
function hashCounts({ u, key }: { u: UniqueTest; key: string[] }): string {
  // unique() leaves NULL keys out; a combination's NULLs group together, and hash alike.
  const keyed = u.kind === 'unique' ? ` FILTER (WHERE ${key[0]} IS NOT NULL)` : '';
  return `count(*)${keyed} AS _keys, count(DISTINCT hash(${key.join(', ')}))${keyed} AS _distinct`;
}

/** What both folds of a uniqueness test with the row tests use, after the checks each test gets on its own. */
function foldParts(m: string, unique: TestSpec, tests: readonly TestSpec[], scope?: PartitionSelection): { u: UniqueTest; key: string[]; anyFailure: string; from: string } {
  if (!isUniqueTest(unique)) throw createError('transform', `Failed to fold the tests of ${m}: ${describeTest(unique)} is not a uniqueness test`);
  testSql(m, unique, scope); // the same checks (identifiers, scope) as on its own
  const rows = tests.filter(isRowTest);
  for (const t of rows) testSql(m, t, scope);
  return {
    u: unique,
    key: (unique.kind === 'unique' ? [unique.column] : unique.columns).map(id),
    anyFailure: rows.length === 0 ? 'false' : rows.map((t) => `coalesce(${rowFailure(t)}, false)`).join(' OR '),
    from: fromScoped(m, scope),
  };
}

/**
 * Rows one uniqueness query of the embedded engine groups at most: at 50 M dossiers the 215 M keys of
 * int_dossiers_attributed in one GROUP BY ran out of DuckDB's 2 GB, a year's 30–45 M did not (bench/
 * history.md, change 25); partitions are checked together up to this many rows (all seven years at 1 M).
 */
export const UNIQUE_ROWS_PER_QUERY = 25_000_000;

/** Partition values in order, grouped so each group's rows stay within `limit` (a larger partition alone). */
export function partitionBatches(sizes: ReadonlyMap<number, number>, limit = UNIQUE_ROWS_PER_QUERY): number[][] {
  const out: number[][] = [];
  let cur: number[] = [];
  let rows = 0;
  for (const v of [...sizes.keys()].sort((a, b) => a - b)) {
    const n = sizes.get(v)!;
    if (cur.length > 0 && rows + n > limit) {
      out.push(cur);
      cur = [];
      rows = 0;
    }
    cur.push(v);
    rows += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** Every test of every model, as SQL. */
export function buildTestChecks(models: readonly TransformModel[]): TestCheck[] {
  return models.flatMap((m) => m.tests.map((t) => ({ model: m.name, test: describeTest(t), severity: t.severity, sql: testSql(m.name, t) })));
}

/** The detail of a test of a model an incremental run kept (not run). */
export const SKIPPED = 'skipped: no input changed';

export interface TestOptions {
  /**
   * An incremental run: the partitions it rebuilt — one selection for every model, or each model's
   * own (by name; the models partitioned by month of receipt and by year rebuild different
   * partitions). The tests of an incremental model partitioned by the selection's column that may be
   * scoped (scopesToPartitions) check only those partitions — the others passed when they were built
   * and are unchanged — and are not run when nothing was rebuilt. Absent (a full run): every test
   * reads the whole model.
   */
  partitions?: PartitionSelection | ReadonlyMap<string, PartitionSelection>;
  /**
   * Models an incremental run kept as the last run wrote them (no input changed): their tests passed
   * then and are not run (they pass, with the detail "skipped: no input changed").
   */
  skipped?: ReadonlySet<string>;
  /** Embedded engine: rows one uniqueness query groups at most (default UNIQUE_ROWS_PER_QUERY). */
  uniqueRowsPerQuery?: number;
}

/**
 * Run the YAML tests of `models` (already materialised) and return one result per test. Callers
 * decide what to do with failures; `assertTestsPass` throws on any failing error-severity test.
 */
export async function runModelTests(engine: QueryEngine, models: readonly TransformModel[], options: TestOptions = {}): Promise<TestResult[]> {
  const lanes = engine.concurrency ?? 1;
  // On the embedded engine an incremental model's tests read its large per-dossier or per-period
  // rows within the memory limit (the batches below): they run alone. The others, small tables whose
  // queries are mostly fixed costs, run `concurrency` models at a time. Results keep the models' order.
  const alone = (m: TransformModel): boolean => lanes === 1 || (engine.memoryBound === true && m.materialized === 'incremental');
  const byModel = new Map<string, TestResult[]>();
  for (const m of models.filter(alone)) byModel.set(m.name, await testsOfModel(engine, m, options));
  await pMap(models.filter((m) => !alone(m)), async (m) => byModel.set(m.name, await testsOfModel(engine, m, options)), { concurrency: lanes });
  return models.flatMap((m) => byModel.get(m.name) ?? []);
}

/** The tests of one model (runModelTests). */
async function testsOfModel(engine: QueryEngine, m: TransformModel, options: TestOptions): Promise<TestResult[]> {
  const results: TestResult[] = [];
  const given = options.partitions;
  const sel = given instanceof Map ? given.get(m.name) : (given as PartitionSelection | undefined);
  const partitioned = sel !== undefined && m.materialized === 'incremental' && m.partitionBy?.[0] === sel.column;
  // On the embedded engine the model's row tests are counted in one pass (rowTestsSql); every row
  // test scopes to partitions alike, so they share one scope.
  // (With nothing rebuilt the scoped row tests are not run at all, below.)
  let batched: Map<TestSpec, number> | undefined;
  let batchSeconds = 0;
  const skippedModel = options.skipped?.has(m.name) === true;
  const batchable = engine.memoryBound && !skippedModel ? m.tests.filter(isRowTest) : [];
  // The embedded engine checks uniqueness a few partitions at a time (below): the same pass that
  // counts the row tests gives each partition's rows, so the batches are known without another scan.
  const column = m.partitionBy?.[0];
  const perPartition = (t: TestSpec): boolean =>
    engine.memoryBound === true && m.materialized === 'incremental' && column !== undefined && isUniqueTest(t) && scopesToPartitions(t, column);
  const byPartition = !skippedModel && m.tests.some(perPartition) ? column : undefined;
  let partitionSizes: Map<number, number> | undefined; // rows per partition (in scope), when byPartition
  // A uniqueness test that reads the rows the row pass reads takes the row tests into its GROUP BY
  // (uniqueWithRowTestsSql): the rows are computed once, not twice.
  const fold = batchable.length > 0 ? foldedUniqueTest(m, sel, partitioned, perPartition) : undefined;
  let folded: { failures: number; seconds: number } | undefined;
  if (fold) {
    const t0 = performance.now();
    let failures = 0;
    let failed = 0;
    for (const scope of fold.scopes) {
      const r = await uniqueByHashFirst(engine, m.name, fold.test, batchable, scope, () => uniqueWithRowTestsSql(m.name, fold.test, batchable, scope));
      failures += r.failures;
      failed += r.failed;
    }
    const seconds = (performance.now() - t0) / 1000;
    folded = { failures, seconds: seconds / (batchable.length + 1) };
    // No row failed any row test: each has 0. Otherwise the pass below counts each test on its own.
    if (failed === 0) {
      batched = new Map(batchable.map((t) => [t, 0]));
      batchSeconds = folded.seconds;
    }
  }
  // The partition sizes are wanted by a uniqueness test checked by partition that no fold took (a full run's
  // int_dossiers_attributed).
  const sizesWanted = byPartition !== undefined && m.tests.some((t) => perPartition(t) && !(folded && t === fold?.test));
  // That pass also counts the first such test's keys and their distinct hashes per partition (a full run's
  // int_dossiers_attributed): equal counts in every partition prove its keys unique without the batches
  // below, which computed the step once more (bench/history.md, change 120). DuckDB spills a grouped
  // DISTINCT past its memory limit, where the one set of every key's hash that the batches avoid did not.
  const hashed = sizesWanted ? m.tests.find((t) => perPartition(t) && !(folded && t === fold?.test)) : undefined;
  /** Rows of each partition whose keys `hashed` still has to group (none: its keys are unique). */
  let hashedSizes: Map<number, number> | undefined;
  if (((!batched && batchable.length > 1) || sizesWanted) && !(partitioned && sel.values.length === 0)) {
    const t0 = performance.now();
    const rows = await engine.query(rowTestsSql(m.name, batchable, partitioned ? sel : undefined, byPartition, hashed));
    const sum = (k: string): number => rows.reduce((n, r) => n + Number(r[k] ?? 0), 0);
    batched = new Map(batchable.map((t, i) => [t, sum(`f${i}`)]));
    if (byPartition) {
      // A row with no partition value (never for a written partition: the engine refuses it) is in no batch.
      partitionSizes = new Map(rows.filter((r) => r._partition !== null && r._partition !== undefined).map((r) => [Number(r._partition), Number(r._rows)]));
    }
    if (hashed && partitionSizes) {
      // The partitions whose hashes do not prove their keys unique: grouped below (a duplicate, or a collision).
      const unproven = new Set(rows.filter((r) => Number(r._keys ?? 0) !== Number(r._distinct ?? 0)).map((r) => Number(r._partition)));
      hashedSizes = new Map([...partitionSizes].filter(([v]) => unproven.has(v)));
    }
    batchSeconds = (performance.now() - t0) / 1000 / (batchable.length + (hashed ? 1 : 0) || 1);
  }
  for (const t of m.tests) {
    if (skippedModel) {
      results.push({ model: m.name, test: describeTest(t), severity: t.severity, sql: '', failures: 0, passed: true, detail: SKIPPED, seconds: 0 });
      continue;
    }
    const scoped = partitioned && scopesToPartitions(t, sel.column);
    // A uniqueness across partitions: the rebuilt ones against each other and the rest (uniqueAgainstRestSql).
    // Not for a run-only step (persist: false): it holds the run's partitions only, so the whole-model
    // test reads just those, once (the check against the rest would compute the step again for nothing).
    const againstRest = partitioned && !scoped && m.persist !== false && isUniqueTest(t);
    if ((scoped || againstRest) && sel.values.length === 0) {
      results.push({ model: m.name, test: describeTest(t), severity: t.severity, sql: '', failures: 0, passed: true, detail: 'no partition rebuilt', seconds: 0 });
      continue;
    }
    const sql = againstRest ? uniqueAgainstRestSql(m.name, t, sel) : testSql(m.name, t, scoped ? sel : undefined);
    const check = { model: m.name, test: describeTest(t), severity: t.severity, sql };
    const t0 = performance.now();
    const seconds = (): number => (performance.now() - t0) / 1000;
    if (folded && t === fold?.test) {
      results.push({ ...check, failures: folded.failures, passed: folded.failures === 0, seconds: folded.seconds });
      continue;
    }
    const counted = batched?.get(t);
    if (counted !== undefined) {
      results.push({ ...check, failures: counted, passed: counted === 0, seconds: batchSeconds });
      continue;
    }
    if (t === hashed && hashedSizes) {
      // Only the partitions the row pass's hashes did not prove, by the GROUP BY, a few at a time.
      let failures = 0;
      for (const values of partitionBatches(hashedSizes, options.uniqueRowsPerQuery)) {
        failures += Number((await engine.query(testSql(m.name, t, { column: column!, values })))[0]?.failures ?? 0);
      }
      results.push({ ...check, failures, passed: failures === 0, seconds: batchSeconds + seconds() });
      continue;
    }
    if (perPartition(t) && partitionSizes) {
      // A few partitions at a time, up to UNIQUE_ROWS_PER_QUERY rows (a duplicate cannot cross
      // partitions: the column is in the key). At 50 M dossiers int_dossiers_attributed's grain is
      // 215 M keys: one GROUP BY over all of them ran out of DuckDB's 2 GB; a year's share does not
      // (bench/history.md, changes 25 and 33). Partitions without rows in scope need no check.
      // Each batch by its keys' hashes first, as the fold above: a full run at 1 M dossiers grouped
      // int_dossiers_attributed's 4,3 M keys in 2,0 s; their hashes, the view computed, take 0,9 s (bench/history.md, change 68).
      let failures = 0;
      for (const values of partitionBatches(partitionSizes, options.uniqueRowsPerQuery)) {
        const scope = { column: column!, values };
        failures += (await uniqueByHashFirst(engine, m.name, t, [], scope, () => testSql(m.name, t, scope))).failures;
      }
      results.push({ ...check, failures, passed: failures === 0, seconds: seconds() });
      continue;
    }
    if (t.kind === 'columns_match') {
      // The engine's own lookup of its one relation: DuckDB's information_schema.columns binds every view
      // of the run to list them all, 6–10 ms a mart (bench/history.md, change 106).
      const actual = await engine.columns(m.name);
      const missing = t.columns.filter((c) => !actual.includes(c));
      const extra = actual.filter((c) => !t.columns.includes(c));
      const failures = missing.length + extra.length;
      results.push({
        ...check,
        failures,
        passed: failures === 0,
        seconds: seconds(),
        ...(failures > 0 ? { detail: `declared but missing: [${missing.join(', ')}]; present but undeclared: [${extra.join(', ')}]` } : {}),
      });
      continue;
    }
    const rows = await engine.query(check.sql);
    const failures = Number(rows[0]?.failures ?? 0);
    results.push({ ...check, failures, passed: failures === 0, seconds: seconds() });
  }

  return results;
}

/**
 * A uniqueness test (with `rowTests` folded in, or none) over `scope`: its keys' distinct hashes first
 * (uniqueByHashWithRowTestsSql), and `groupSql()` — a GROUP BY that counts the failures — only when they
 * do not prove the keys unique. `failed`: the rows failing any of `rowTests`.
 */
async function uniqueByHashFirst(
  engine: QueryEngine,
  m: string,
  t: TestSpec,
  rowTests: readonly TestSpec[],
  scope: PartitionSelection | undefined,
  groupSql: () => string,
): Promise<{ failures: number; failed: number }> {
  const [h] = await engine.query(uniqueByHashWithRowTestsSql(m, t, rowTests, scope));
  const failed = Number(h?._failed ?? 0);
  if (Number(h?._keys ?? 0) === Number(h?._distinct ?? 0)) return { failures: 0, failed };
  return { failures: Number((await engine.query(groupSql()))[0]?.failures ?? 0), failed };
}

/**
 * The uniqueness test of `m` that can take its row tests into its GROUP BY, and the scopes of its
 * queries, when it reads the same rows as the row pass (scoped to `sel` when `partitioned`):
 * - one query per rebuilt partition, for a test that holds the partition column (perPartition): the
 *   one partition is the largest unit its batching would check alone anyway;
 * - one query over the model, when neither the test nor the row pass is scoped (a full run, or a model
 *   not partitioned by the run's column), and the test needs no batching by partition;
 * - one query over the rebuilt partitions, for a run-only step (`persist: false`) whose test spans
 *   partitions: the step holds those partitions only (materializePartitions), so checking it whole
 *   and checking its rebuilt rows are the same check.
 * Undefined otherwise (a check against the other partitions, nothing rebuilt): the tests run apart.
 */
function foldedUniqueTest(
  m: TransformModel,
  sel: PartitionSelection | undefined,
  partitioned: boolean,
  perPartition: (t: TestSpec) => boolean,
): { test: UniqueTest; scopes: (PartitionSelection | undefined)[] } | undefined {
  for (const t of m.tests.filter(isUniqueTest)) {
    if (partitioned && sel) {
      if (sel.values.length === 0) return undefined;
      if (perPartition(t)) return { test: t, scopes: sel.values.map((v) => ({ column: sel.column, values: [v] })) };
      if (m.persist === false && !scopesToPartitions(t, sel.column)) return { test: t, scopes: [sel] };
    } else if (!perPartition(t)) {
      return { test: t, scopes: [undefined] };
    }
  }
  return undefined;
}

/** Throw when any error-severity test failed, listing them. */
export function assertTestsPass(results: readonly TestResult[]): void {
  const failed = results.filter((r) => !r.passed && r.severity === 'error');
  if (failed.length === 0) return;
  const lines = failed.map((r) => `${r.model}: ${r.test} → ${r.failures} failing row(s)${r.detail ? ` (${r.detail})` : ''}`);
  throw createError('transform', `Failed to pass ${failed.length} model test(s):\n${lines.join('\n')}`);
}
