/**
 * Every data rule in sql/ (docs/architecture.md, "What stays in TypeScript"): no file under
 * functions/core holds a query (a string or template literal with SELECT … FROM) unless it is on the
 * short list of plumbing modules below, each with why, or the query is a bare registration (a view
 * that is all of a relation or a Parquet read, no filter). A module that reads data by rules (a
 * report, a mart, a filter) keeps its queries in sql/ and loads them by name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const CORE = path.join(REPO, 'functions', 'core');

/**
 * Modules whose queries are the engine's own plumbing, relative to functions/core. Each entry must
 * still hold a query (a stale entry fails), so the list only shrinks as SQL moves out.
 */
const PLUMBING: Record<string, string> = {
  'engine/athena.ts': 'the Athena engine: views over Glue tables, CTAS of a model, counts, columns from information_schema',
  'engine/duckdb-engine.ts': 'the DuckDB engine: views over files, CREATE TABLE of a model, COPY to Parquet, DESCRIBE, counts',
  'export-marts.ts': 'copies each mart Parquet file out (COPY … ORDER BY its grain) and counts its rows',
  'lake/land.ts':
    'the landing runner: chunk and batch tables, the landed-id index, the landing log, the small_rows view built from each dataset\'s declared key; the rules themselves are sql/landing/',
  'lake/key-index.ts': 'writes a landed partition\'s key index (COPY of its keys under the ETag) and checks each downloaded index\'s ETag: storage bookkeeping, no data rule',
  'lake/partitions.ts': 'publishes batch rows into partitions: partition listing, COPY, the superseded ledger; the version order comes from datasets.ts',
  'lake/small.ts': 'the small-file batch tables (read_json of the readers\' rows) and the registry read back for unit matching',
  'lake/invariants.ts':
    'the post-run self-checks of the lake\'s own bookkeeping (rows per raw_hash against the manifest, repeated dossier ids, superseded rows naming a held version) over file lists it enumerates: they judge the pipeline, not the data',
  'profiles/inspect.ts': 'the profile inspector\'s diagnostics (fill counts, failures by reason, sample rows) over the landing SQL of sql/landing/',
  'profiles/load.ts': 'reads a vendor CSV into the raw staging table (read_csv, DESCRIBE, row numbering)',
  'transform/asof.ts': 'cuts each built mart to its periods up to the as-of date (generated from its columns) and counts quarantine rows for the run summary; the as-of rules are sql/snapshots/as_of/',
  'transform/incremental.ts': 'reads the landing log and the period model to plan a run; the touched-years rule is sql/incremental/',
  'transform/models.ts': 'a seed CSV turned into a VALUES SELECT',
  'transform/tests.ts': 'the YAML tests compiled to SQL (not_null, unique, accepted_values, relationships, expression_is_true), as dbt does',
};

/** A bare registration: a view that is all of one relation or of a Parquet read, without a filter. */
const REGISTRATION = /^\s*create\s+(or\s+replace\s+)?(temp\s+)?view\s+\S+\s+as\s+select\s+\*\s+from\s+(\S+|read_parquet\(\S+\))\s*$/i;
const QUERY = /\bselect\b[\s\S]*\bfrom\b/i;

interface SqlLiteral {
  line: number;
  text: string;
}

/** The queries a TypeScript source holds in string or template literals (substitutions read as `$x`), registrations left out. */
function sqlLiterals(source: string): SqlLiteral[] {
  const sf = ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, true);
  const out: SqlLiteral[] = [];
  const visit = (node: ts.Node): void => {
    let text: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) text = node.text;
    else if (ts.isTemplateExpression(node)) text = node.head.text + node.templateSpans.map((s) => `$x${s.literal.text}`).join('');
    if (text !== undefined && QUERY.test(text) && !REGISTRATION.test(text)) {
      out.push({ line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1, text: text.replace(/\s+/g, ' ').trim() });
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function coreFiles(): string[] {
  return readdirSync(CORE, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mts|cts)$/.test(e.name))
    .map((e) => path.relative(CORE, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

describe('queries in functions/core', () => {
  const files = coreFiles();
  const found = new Map(files.map((f) => [f, sqlLiterals(readFileSync(path.join(CORE, f), 'utf8'))]));

  test('should hold no query outside the plumbing modules: data rules live in sql/', () => {
    // Not vacuous: the walk sees the whole core and finds the engine's own queries.
    expect(files.length).toBeGreaterThan(40);
    expect(files).toContain('report/data.ts');
    expect(found.get('engine/duckdb-engine.ts')!.length).toBeGreaterThan(5);
    const offending = [...found].filter(([f]) => !Object.hasOwn(PLUMBING, f)).flatMap(([f, qs]) => qs.map((q) => `${f}:${q.line} ${q.text.slice(0, 100)}`));
    expect(offending).toEqual([]);
  });

  test('should list only plumbing modules that still hold a query (the list only shrinks)', () => {
    const stale = Object.keys(PLUMBING).filter((f) => !found.has(f) || found.get(f)!.length === 0);
    expect(stale).toEqual([]);
  });

  test('should find a report query written in a template string, and leave a bare registration alone', () => {
    // The monthly report's 766 query as functions/core/report/data.ts held it before sql/reports/monthly_score766.sql.
    const before = [
      'const rows = await db.all(',
      '  `SELECT agency_code, coalesce(unit_short_name, unit_name) AS unit_name, rank',
      '   FROM ${mart(\'score766_units\')}',
      '   WHERE province_code = $code AND year = $year',
      '   QUALIFY row_number() OVER (PARTITION BY unit_id ORDER BY as_of DESC) = 1`,',
      '  { code, year },',
      ');',
      "const late = await db.all('SELECT * FROM procedure_years WHERE resolved_late > 0');",
    ].join('\n');
    expect(sqlLiterals(before).map((q) => q.line)).toEqual([2, 8]);
    const after = [
      "await db.run(`CREATE VIEW ${name} AS SELECT * FROM read_parquet(${literal(file)})`);",
      "await db.run('CREATE OR REPLACE TEMP VIEW landing_parsed AS SELECT * FROM parsed_chunk');",
      "const rows = await db.all(await readReportSql('monthly_score766'), { province_code: code, year });",
    ].join('\n');
    expect(sqlLiterals(after)).toEqual([]);
  });
});
