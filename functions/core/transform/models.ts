/**
 * Model loader: reads sql/ (staging, intermediate, marts: one SELECT per .sql file; seeds: CSV
 * turned into a portable SELECT … FROM (VALUES …)), attaches the YAML next to each model (grain,
 * columns, tests), infers dependencies from the names a model references, and returns the models in
 * dependency order. Fails on unknown references, cycles, duplicate names and malformed YAML.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { createError } from '../errors.js';
import type { ModelDef } from '../engine/types.js';
import { maskSql } from './lint.js';
import { SOURCE_NAMES } from './sources.js';

/** Lower-case SQL identifier: the only names that reach generated SQL. */
export const NAME = /^[a-z_][a-z0-9_]*$/;
const Name = z.string().regex(NAME, 'expected a lower-case identifier [a-z_][a-z0-9_]*');
const Severity = z.enum(['error', 'warn']).default('error');

const ColumnTest = z.union([
  z.enum(['not_null', 'unique']),
  z.object({ not_null: z.object({ severity: Severity }).nullable() }).strict(),
  z.object({ unique: z.object({ severity: Severity }).nullable() }).strict(),
  z.object({ accepted_values: z.object({ values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1), severity: Severity }).strict() }).strict(),
  z.object({ relationships: z.object({ to: Name, field: Name, severity: Severity }).strict() }).strict(),
]);
const ModelTest = z.union([
  z.literal('not_empty'),
  z.object({ not_empty: z.object({ severity: Severity }).nullable() }).strict(),
  z.object({ expression_is_true: z.object({ expression: z.string().min(1), severity: Severity }).strict() }).strict(),
  z.object({ unique_combination_of_columns: z.object({ combination_of_columns: z.array(Name).min(1), severity: Severity }).strict() }).strict(),
]);
/**
 * How a snapshot cuts a mart to the periods up to its as-of date (asof.ts, martCut), by the columns
 * each kind names: `period_start` (the period's first day), `year_month` (year and month), `as_of`
 * (the date a 766 answer is as of), `year`, or `none` (kept whole: no period). Every mart declares
 * one in its YAML, `config.meta.as_of_cut`.
 */
export const AS_OF_CUTS = ['period_start', 'year_month', 'as_of', 'year', 'none'] as const;
export type AsOfCut = (typeof AS_OF_CUTS)[number];
/** The columns a mart must have for each cut. */
const AS_OF_CUT_COLUMNS: Readonly<Record<AsOfCut, readonly string[]>> = {
  period_start: ['period_start'],
  year_month: ['year', 'month'],
  as_of: ['as_of'],
  year: ['year'],
  none: [],
};
const ColumnYaml = z
  .object({
    name: Name,
    description: z.string().optional(),
    data_type: z.string().regex(/^[A-Z][A-Z0-9 ,()]*$/).optional(),
    data_tests: z.array(ColumnTest).default([]),
  })
  .strict();
const ModelYaml = z
  .object({
    name: Name,
    description: z.string().optional(),
    config: z
      .object({
        grain: z.array(Name).min(1).optional(),
        partition_by: z.array(Name).optional(),
        persist: z.boolean().optional(),
        // dbt's names: materialized view | table | incremental; an incremental model overwrites the
        // partitions a run touches (dbt's insert_overwrite, as dbt-athena and dbt-spark spell it).
        materialized: z.enum(['view', 'table', 'incremental']).optional(),
        incremental_strategy: z.literal('insert_overwrite').optional(),
        // Within the years an incremental run rebuilds, only the report periods its new data reaches
        // (docs/architecture.md, "Incremental models"); the grain holds the period key.
        incremental_scope: z.literal('period').optional(),
        // dbt's free-form meta, here with the one key the pipeline reads: a mart's snapshot cut.
        meta: z.object({ as_of_cut: z.enum(AS_OF_CUTS).optional() }).strict().optional(),
      })
      .strict()
      .refine((c) => c.materialized !== 'incremental' || c.partition_by?.length === 1, {
        message: 'materialized: incremental needs partition_by with exactly one (integer) column, e.g. partition_by: [year]',
      })
      .refine((c) => c.incremental_strategy === undefined || c.materialized === 'incremental', {
        message: 'incremental_strategy is only for materialized: incremental',
      })
      .refine((c) => c.materialized !== 'view' || c.persist === undefined, { message: 'a view is never persisted: drop persist' })
      .refine(
        (c) =>
          c.incremental_scope === undefined ||
          (c.materialized === 'incremental' && c.partition_by?.[0] === 'year' && ['period_type', 'year', 'period_no'].every((k) => c.grain?.includes(k))),
        { message: 'incremental_scope: period is for an incremental model with partition_by: [year] whose grain holds period_type, year and period_no' },
      )
      .default({}),
    data_tests: z.array(ModelTest).default([]),
    columns: z.array(ColumnYaml).default([]),
  })
  .strict();
const ModelsFile = z.object({ version: z.literal(2), models: z.array(ModelYaml) }).strict();
const SourceTable = z
  .object({ name: Name, description: z.string().optional(), meta: z.object({ location: z.string().min(1) }).strict().optional() })
  .strict();
const SourcesFile = z
  .object({ version: z.literal(2), sources: z.array(z.object({ name: Name, description: z.string().optional(), tables: z.array(SourceTable).min(1) }).strict()).min(1) })
  .strict();

/** One table of a `_sources.yml`: a relation models may read, and the file that declares it. */
export interface SourceDecl {
  source: string;
  name: string;
  description?: string;
  location?: string;
  file: string;
}

export type ColumnSpec = z.infer<typeof ColumnYaml>;
export type ModelYaml = z.infer<typeof ModelYaml>;

/** One data test, already resolved to a kind and its arguments. */
export type TestSpec =
  | { kind: 'not_null'; column: string; severity: 'error' | 'warn' }
  | { kind: 'unique'; column: string; severity: 'error' | 'warn' }
  | { kind: 'accepted_values'; column: string; values: (string | number | boolean)[]; severity: 'error' | 'warn' }
  | { kind: 'relationships'; column: string; to: string; field: string; severity: 'error' | 'warn' }
  | { kind: 'not_empty'; severity: 'error' | 'warn' }
  | { kind: 'expression_is_true'; expression: string; severity: 'error' | 'warn' }
  | { kind: 'unique_combination_of_columns'; columns: string[]; severity: 'error' | 'warn' }
  | { kind: 'columns_match'; columns: string[]; severity: 'error' | 'warn' };

/** A model with what its YAML declares. */
export interface TransformModel extends ModelDef {
  description?: string;
  /** Grain key: not_null + unique, and the sort order of materialised output. */
  grain?: string[];
  columns: ColumnSpec[];
  tests: TestSpec[];
  /** Marts only: how a snapshot cuts it to its as-of date (`config.meta.as_of_cut`). */
  asOfCut?: AsOfCut;
  /**
   * `period`: an incremental run recomputes, within each year it rebuilds, only the report periods its
   * new data reaches (PartitionSelection.periods); YAML `config.incremental_scope`.
   */
  incrementalScope?: 'period';
}

export interface LoadOptions {
  /**
   * Names models may read besides other models (default: the tables the `_sources.yml` files under
   * staging/ declare; a tree without one may read every src_<dataset> the engine knows).
   */
  sources?: readonly string[];
}

const LAYERS = ['seeds', 'staging', 'intermediate', 'marts'] as const;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** Minimal RFC 4180 reader for small files (quotes, doubled quotes, CRLF, BOM): the seeds, and the generator's own registry and indicator CSVs. */
export function parseCsv(text: string, file: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (quoted) throw createError('transform', `Failed to read seed ${file}: unterminated quoted field`);
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ''));
}

function inferType(values: string[]): string {
  const present = values.filter((v) => v !== '');
  if (present.length === 0) return 'VARCHAR';
  if (present.every((v) => v === 'true' || v === 'false')) return 'BOOLEAN';
  if (present.every((v) => /^-?\d{1,18}$/.test(v))) return present.every((v) => Math.abs(Number(v)) < 2 ** 31) ? 'INTEGER' : 'BIGINT';
  if (present.every((v) => /^-?\d+(\.\d+)?$/.test(v))) return 'DOUBLE';
  if (present.every((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))) return 'DATE';
  return 'VARCHAR';
}

const sqlString = (v: string): string => `'${v.replaceAll("'", "''")}'`;

/** A seed CSV as a portable SELECT over VALUES; column types from YAML data_type, else inferred. */
export function seedToSql(csv: string, file: string, declared: ColumnSpec[] = []): { sql: string; columns: string[] } {
  const rows = parseCsv(csv, file);
  const header = rows[0];
  if (!header || rows.length < 2) throw createError('transform', `Failed to read seed ${file}: it needs a header and at least one row`);
  header.forEach((h, k) => {
    if (!NAME.test(h)) throw createError('transform', `Failed to read seed ${file}: column ${k + 1} "${h}" is not a lower-case identifier`);
  });
  const data = rows.slice(1);
  data.forEach((r, k) => {
    if (r.length !== header.length) throw createError('transform', `Failed to read seed ${file}: row ${k + 1} has ${r.length} fields, expected ${header.length}`);
  });
  const types = header.map((h, k) => declared.find((c) => c.name === h)?.data_type ?? inferType(data.map((r) => r[k]!)));
  const values = data.map((r) => `        (${r.map((v) => (v === '' ? 'CAST(NULL AS VARCHAR)' : sqlString(v))).join(', ')})`).join(',\n');
  const select = header.map((h, k) => `        CAST(${h} AS ${types[k]}) AS ${h}`).join(',\n');
  const sql = `with source as (\n    select *\n    from (\n        values\n${values}\n    ) as v (${header.join(', ')})\n),\n\nfinal as (\n    select\n${select}\n    from source\n)\n\nselect * from final`;
  return { sql, columns: header };
}

/** Path of the first `tests:` key (dbt's pre-1.8 spelling) in a models file, if any. */
function legacyTestsKey(raw: unknown): string | undefined {
  const models = (raw as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) return undefined;
  for (const [i, m] of models.entries()) {
    if (m && typeof m === 'object' && 'tests' in m) return `models.${i}.tests`;
    const columns = (m as { columns?: unknown } | null)?.columns;
    if (!Array.isArray(columns)) continue;
    for (const [j, c] of columns.entries()) if (c && typeof c === 'object' && 'tests' in c) return `models.${i}.columns.${j}.tests`;
  }
  return undefined;
}

function readYaml(file: string): unknown {
  try {
    return parseYaml(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw createError('transform', `Failed to parse ${file}: ${(cause as Error).message}`, { cause });
  }
}

const SOURCES_FILE = /\/_[^/]*sources\.ya?ml$/;

/** Every table the `_sources.yml` files under `sqlDir`/staging declare, in file order. */
export function loadSources(sqlDir: string): SourceDecl[] {
  let files: string[];
  try {
    files = walk(join(sqlDir, 'staging')).filter((f) => SOURCES_FILE.test(f));
  } catch {
    return [];
  }
  const out: SourceDecl[] = [];
  for (const file of files) {
    const parsed = SourcesFile.safeParse(readYaml(file));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw createError('transform', `Failed to read ${file}: ${issue.path.join('.')}: ${issue.message}`);
    }
    for (const src of parsed.data.sources) {
      for (const t of src.tables) {
        const other = out.find((d) => d.name === t.name);
        if (other) throw createError('transform', `Failed to read ${file}: source table ${t.name} is also declared in ${other.file}`);
        if (!SOURCE_NAMES.includes(t.name)) {
          throw createError('transform', `Failed to read ${file}: source table ${t.name} is not a dataset the engine can read (known: ${SOURCE_NAMES.join(', ')})`);
        }
        out.push({ source: src.name, name: t.name, description: t.description, location: t.meta?.location, file });
      }
    }
  }
  return out;
}

function readYamlModels(file: string): ModelYaml[] {
  const raw = readYaml(file);
  const legacy = legacyTestsKey(raw);
  if (legacy) throw createError('transform', `Failed to read ${file}: ${legacy}: the key "tests:" is dbt's old spelling; write "data_tests:"`);
  const parsed = ModelsFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw createError('transform', `Failed to read ${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data.models;
}

function severityOf(arg: unknown): 'error' | 'warn' {
  return (arg as { severity?: 'error' | 'warn' } | null | undefined)?.severity ?? 'error';
}

function testsOf(y: ModelYaml, layer: TransformModel['layer']): TestSpec[] {
  const tests: TestSpec[] = [];
  for (const g of y.config.grain ?? []) tests.push({ kind: 'not_null', column: g, severity: 'error' });
  if (y.config.grain) {
    if (y.config.grain.length === 1) tests.push({ kind: 'unique', column: y.config.grain[0]!, severity: 'error' });
    else tests.push({ kind: 'unique_combination_of_columns', columns: y.config.grain, severity: 'error' });
  }
  for (const c of y.columns) {
    for (const t of c.data_tests) {
      if (t === 'not_null' || t === 'unique') tests.push({ kind: t, column: c.name, severity: 'error' });
      else if ('not_null' in t) tests.push({ kind: 'not_null', column: c.name, severity: severityOf(t.not_null) });
      else if ('unique' in t) tests.push({ kind: 'unique', column: c.name, severity: severityOf(t.unique) });
      else if ('accepted_values' in t) tests.push({ kind: 'accepted_values', column: c.name, values: t.accepted_values.values, severity: t.accepted_values.severity });
      else tests.push({ kind: 'relationships', column: c.name, to: t.relationships.to, field: t.relationships.field, severity: t.relationships.severity });
    }
  }
  for (const t of y.data_tests) {
    if (t === 'not_empty') tests.push({ kind: 'not_empty', severity: 'error' });
    else if ('not_empty' in t) tests.push({ kind: 'not_empty', severity: severityOf(t.not_empty) });
    else if ('expression_is_true' in t) tests.push({ kind: 'expression_is_true', ...t.expression_is_true });
    else tests.push({ kind: 'unique_combination_of_columns', columns: t.unique_combination_of_columns.combination_of_columns, severity: t.unique_combination_of_columns.severity });
  }
  // Marts are a contract with the dashboards: their YAML must list exactly the model's columns.
  if (layer === 'marts' && y.columns.length > 0) tests.push({ kind: 'columns_match', columns: y.columns.map((c) => c.name), severity: 'error' });
  return tests;
}

/** Names of CTEs defined in a (masked) SELECT. */
function cteNames(masked: string): Set<string> {
  const names = new Set<string>();
  for (const m of masked.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)\s*(?:\([^()]*\))?\s+as\s*\(/gi)) names.add(m[1]!.toLowerCase());
  return names;
}

/** Relations a SELECT reads (after FROM / JOIN), excluding its own CTEs. */
export function referencedRelations(sql: string): string[] {
  const masked = maskSql(sql);
  const ctes = cteNames(masked);
  const refs = new Set<string>();
  for (const m of masked.matchAll(/\b(?:from|join)\s+([A-Za-z_][A-Za-z0-9_.]*)/gi)) {
    const name = m[1]!.toLowerCase();
    if (ctes.has(name) || name === 'unnest' || name === 'lateral') continue;
    refs.add(name);
  }
  return [...refs].sort();
}

function topoSort(models: TransformModel[]): TransformModel[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  const state = new Map<string, 'visiting' | 'done'>();
  const out: TransformModel[] = [];
  const visit = (m: TransformModel, path: string[]) => {
    const s = state.get(m.name);
    if (s === 'done') return;
    if (s === 'visiting') throw createError('transform', `Failed to order models: dependency cycle ${[...path, m.name].join(' → ')}`);
    state.set(m.name, 'visiting');
    for (const d of m.dependsOn) {
      const dep = byName.get(d);
      if (dep) visit(dep, [...path, m.name]);
    }
    state.set(m.name, 'done');
    out.push(m);
  };
  const order = (m: TransformModel) => `${LAYERS.indexOf(m.layer)}:${m.name}`;
  for (const m of [...models].sort((a, b) => order(a).localeCompare(order(b)))) visit(m, []);
  return out;
}

/**
 * Every model under `sqlDir` (staging/, intermediate/, marts/ and seeds/; `_`-prefixed folders such
 * as _shims/ and landing/ are not models), in dependency order.
 */
export function loadModels(sqlDir: string, options: LoadOptions = {}): TransformModel[] {
  const declared = options.sources ? [] : loadSources(sqlDir);
  const sources = new Set(options.sources ?? (declared.length > 0 ? declared.map((d) => d.name) : SOURCE_NAMES));
  const repoRoot = join(sqlDir, '..');
  const models: TransformModel[] = [];
  const yamlByName = new Map<string, { spec: ModelYaml; file: string }>();
  for (const layer of LAYERS) {
    const dir = join(sqlDir, layer);
    let files: string[];
    try {
      files = walk(dir);
    } catch {
      continue;
    }
    for (const file of files.filter((f) => /\/_[^/]*__models\.ya?ml$/.test(f))) {
      for (const spec of readYamlModels(file)) {
        if (yamlByName.has(spec.name)) throw createError('transform', `Failed to read ${file}: model ${spec.name} is also described in ${yamlByName.get(spec.name)!.file}`);
        yamlByName.set(spec.name, { spec, file });
      }
    }
    for (const file of files.filter((f) => f.endsWith(layer === 'seeds' ? '.csv' : '.sql'))) {
      const name = basename(file).replace(/\.(sql|csv)$/, '');
      if (!NAME.test(name)) throw createError('transform', `Failed to load ${file}: model name "${name}" is not a lower-case identifier`);
      const spec = yamlByName.get(name)?.spec;
      if (layer === 'marts' && spec?.config.materialized === 'view') {
        throw createError('transform', `Failed to load ${file}: ${name} is a mart: it must be a table or incremental (the dashboards and exports read every mart's Parquet file), so materialized: view is not allowed`);
      }
      if (layer === 'marts' && spec?.config.persist === false) {
        throw createError('transform', `Failed to load ${file}: ${name} is a mart: it must be persisted (the dashboards and exports read every mart), so persist: false is not allowed`);
      }
      const text = readFileSync(file, 'utf8');
      const sql = layer === 'seeds' ? seedToSql(text, file, spec?.columns).sql : text.trim().replace(/;\s*$/, '');
      models.push({
        name,
        layer,
        sql,
        dependsOn: [],
        file: relative(repoRoot, file),
        description: spec?.description,
        grain: spec?.config.grain,
        partitionBy: spec?.config.partition_by,
        ...(spec?.config.persist === false ? { persist: false } : {}),
        ...(spec?.config.materialized ? { materialized: spec.config.materialized } : {}),
        ...(spec?.config.incremental_scope ? { incrementalScope: spec.config.incremental_scope } : {}),
        columns: spec?.columns ?? [],
        tests: spec ? testsOf(spec, layer) : [],
        ...(spec?.config.meta?.as_of_cut ? { asOfCut: spec.config.meta.as_of_cut } : {}),
      });
    }
  }
  const names = new Set<string>();
  for (const m of models) {
    if (names.has(m.name) || sources.has(m.name)) throw createError('transform', `Failed to load ${m.file}: the name ${m.name} is already taken`);
    names.add(m.name);
  }
  for (const [name, { file }] of yamlByName) {
    if (!names.has(name)) throw createError('transform', `Failed to read ${file}: it describes ${name}, which has no .sql/.csv file`);
  }
  for (const m of models) {
    const deps = new Set<string>();
    for (const ref of referencedRelations(m.sql)) {
      if (names.has(ref)) deps.add(ref);
      else if (!sources.has(ref)) throw createError('transform', `Failed to load ${m.file}: unknown relation "${ref}" (not a model, seed or source)`);
    }
    for (const t of m.tests) {
      if (t.kind === 'relationships' && !names.has(t.to)) throw createError('transform', `Failed to load tests of ${m.name}: relationships target "${t.to}" is not a model`);
    }
    if (m.layer !== 'staging' && [...referencedRelations(m.sql)].some((r) => sources.has(r))) {
      throw createError('transform', `Failed to load ${m.file}: only staging models may read sources (src_*)`);
    }
    m.dependsOn = [...deps].sort();
  }
  // An incremental step that is not persisted holds only the partitions of its run: only incremental
  // models on the same partition column may read it (they rebuild exactly those partitions).
  const byName = new Map(models.map((m) => [m.name, m]));
  for (const m of models) {
    for (const d of m.dependsOn) {
      const dep = byName.get(d)!;
      if (dep.materialized !== 'incremental' || dep.persist !== false) continue;
      if (m.materialized !== 'incremental' || m.partitionBy?.[0] !== dep.partitionBy?.[0]) {
        throw createError('transform', `Failed to load ${m.file}: it reads ${dep.name}, an incremental step with persist: false, so it must be materialized: incremental with partition_by: [${dep.partitionBy?.[0]}]`);
      }
      // Such a step holds only the periods its run recomputes: its readers must recompute those alone.
      if (dep.incrementalScope === 'period' && m.incrementalScope !== 'period') {
        throw createError('transform', `Failed to load ${m.file}: it reads ${dep.name}, a step with persist: false and incremental_scope: period, so it needs incremental_scope: period too`);
      }
    }
  }
  const read = new Set(models.flatMap((m) => referencedRelations(m.sql)));
  for (const d of declared) {
    if (!read.has(d.name)) throw createError('transform', `Failed to read ${d.file}: source table ${d.name} is declared but no model reads it`);
  }
  const sorted = topoSort(models);
  for (const m of sorted) checkAsOfCut(m, yamlByName.get(m.name)?.file);
  return sorted;
}

/** Every mart declares its snapshot cut, over columns its YAML lists; no other model declares one. */
function checkAsOfCut(m: TransformModel, yamlFile: string | undefined): void {
  const where = yamlFile ?? m.file;
  const kinds = AS_OF_CUTS.join(' | ');
  if (m.layer !== 'marts') {
    if (m.asOfCut) throw createError('transform', `Failed to read ${where}: ${m.name} is not a mart: only a mart has a snapshot cut (config.meta.as_of_cut)`);
    return;
  }
  if (!m.asOfCut) {
    throw createError('transform', `Failed to read ${where}: the mart ${m.name} declares no snapshot cut: add config.meta.as_of_cut (${kinds}) to its YAML`);
  }
  const listed = new Set(m.columns.map((c) => c.name));
  const missing = AS_OF_CUT_COLUMNS[m.asOfCut].filter((c) => !listed.has(c));
  if (missing.length > 0) {
    throw createError('transform', `Failed to read ${where}: the mart ${m.name} is cut by ${m.asOfCut}, but its YAML lists no column ${missing.join(', ')}`);
  }
}
