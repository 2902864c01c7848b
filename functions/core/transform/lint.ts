/**
 * Lint for what the Trino grammar lets through but one of the two engines rejects or reads
 * differently (docs/architecture.md, "One SQL for DuckDB and Athena"): backticks, STRING, `::`, QUALIFY, GROUP BY ALL,
 * EXCLUDE, FROM-first, IGNORE NULLS, and any function outside a portable allow-list.
 */

export interface LintIssue {
  readonly rule: string;
  readonly message: string;
  /** 1-based line of the offending text. */
  readonly line: number;
}

/** Functions that behave the same on DuckDB (with sql/_shims/duckdb.sql) and Trino / Athena v3. */
export const PORTABLE_FUNCTIONS: ReadonlySet<string> = new Set([
  // aggregates
  'count', 'count_if', 'sum', 'avg', 'min', 'max', 'max_by', 'min_by', 'bool_or', 'bool_and', 'array_agg',
  'approx_percentile', 'approx_distinct', 'stddev', 'stddev_samp', 'stddev_pop', 'variance', 'var_samp', 'var_pop',
  // window
  'row_number', 'rank', 'dense_rank', 'lag', 'lead', 'first_value', 'last_value', 'ntile', 'percent_rank', 'cume_dist',
  // conditional / casts
  'coalesce', 'nullif', 'cast', 'try_cast', 'greatest', 'least',
  // math
  'round', 'abs', 'floor', 'ceil', 'ceiling', 'sqrt', 'power', 'ln', 'exp', 'mod', 'sign',
  // dates
  'date_diff', 'date_trunc', 'extract', 'year', 'month', 'quarter', 'day', 'day_of_week', 'current_date',
  // text
  'lower', 'upper', 'trim', 'ltrim', 'rtrim', 'length', 'substr', 'strpos', 'split_part', 'replace', 'concat',
  'regexp_extract', 'regexp_like', 'lpad', 'rpad', 'starts_with', 'json_extract_scalar',
  // arrays
  'array_join', 'cardinality', 'unnest', 'contains', 'sequence',
]);

/** Keywords that may stand right before '(' without being a function call. */
const NOT_FUNCTIONS = new Set([
  'as', 'in', 'values', 'over', 'filter', 'exists', 'using', 'on', 'and', 'or', 'not', 'when', 'then', 'else',
  'from', 'join', 'select', 'where', 'by', 'with', 'recursive', 'union', 'all', 'distinct', 'any', 'some', 'is',
  'partition', 'window', 'between', 'case', 'end', 'lateral', 'array', 'row', 'rows', 'range', 'interval', 'intersect', 'except',
]);

/** Text with comments removed and the insides of string literals and quoted identifiers blanked (offsets kept). */
export function maskSql(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (ch === '/' && next === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? sql.length : end + 2;
      out += sql.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === ch) {
          if (sql[j + 1] === ch) j += 2;
          else break;
        } else j++;
      }
      const body = sql.slice(i + 1, j).replace(/[^\n]/g, ch === "'" ? ' ' : 'x');
      out += ch + body + (j < sql.length ? ch : '');
      i = j + 1;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset && k < text.length; k++) if (text[k] === '\n') line++;
  return line;
}

/** Portability issues of one SELECT (empty when it passes). */
/**
 * DuckDB-only functions the landing queries (sql/landing/) may use: they run only in the landing step,
 * which is DuckDB everywhere (also inside the AWS landing Lambda), never on Athena.
 */
export const LANDING_FUNCTIONS: ReadonlySet<string> = new Set([
  'try_strptime', 'json_extract_string', 'to_json', 'timezone', 'nfc_normalize', 'regexp_full_match', 'strlen', 'ends_with',
  // dossiers_profile.sql: folding codes and names, Excel serial dates, the profile's mapped-field list
  'regexp_replace', 'strip_accents', 'to_seconds', 'to_days', 'list_contains', 'strftime',
]);

export function lintSql(sql: string, options: { extraFunctions?: ReadonlySet<string> } = {}): LintIssue[] {
  const issues: LintIssue[] = [];
  const masked = maskSql(sql);
  const add = (rule: string, message: string, offset: number) => issues.push({ rule, message, line: lineAt(masked, offset) });
  const patterns: [string, RegExp, string][] = [
    ['backtick', /`/g, 'backticks: quote identifiers with "…" or not at all'],
    ['string-type', /\bSTRING\b/gi, 'STRING is not a Trino type: use VARCHAR'],
    ['double-colon-cast', /::/g, ':: casts are DuckDB-only: use CAST(x AS type)'],
    ['qualify', /\bQUALIFY\b/gi, 'QUALIFY is not Trino: filter a window in an outer query'],
    ['group-by-all', /\bGROUP\s+BY\s+ALL\b/gi, 'GROUP BY ALL is DuckDB-only: list the columns'],
    ['order-by-all', /\bORDER\s+BY\s+ALL\b/gi, 'ORDER BY ALL is DuckDB-only: list the columns'],
    ['exclude', /\bEXCLUDE\b/gi, 'SELECT * EXCLUDE is DuckDB-only: list the columns'],
    ['ignore-nulls', /\bIGNORE\s+NULLS\b/gi, 'IGNORE NULLS is spelled differently in each engine: avoid it'],
    ['semicolon', /;/g, 'sql/ files hold one SELECT without a trailing semicolon'],
  ];
  for (const [rule, re, message] of patterns) for (const m of masked.matchAll(re)) add(rule, message, m.index);
  if (/^\s*from\b/i.test(masked)) add('from-first', 'FROM-first queries are DuckDB-only', masked.search(/\S/));
  if (!/^\s*(with|select|\()/i.test(masked)) add('not-select', 'a model must be a single SELECT (WITH … SELECT)', 0);

  const tokenRe = /[A-Za-z_][A-Za-z0-9_]*|\(|\)|[^\sA-Za-z0-9_()]/g;
  const tokens = [...masked.matchAll(tokenRe)].map((m) => ({ text: m[0], offset: m.index }));
  for (let k = 0; k < tokens.length - 1; k++) {
    const tok = tokens[k]!;
    if (tokens[k + 1]!.text !== '(' || !/^[A-Za-z_]/.test(tok.text)) continue;
    const name = tok.text.toLowerCase();
    const prev = tokens[k - 1]?.text.toLowerCase();
    if (NOT_FUNCTIONS.has(name) || prev === 'as' || prev === '.') continue;
    // a CTE with a column list: name(a, b) AS (
    let depth = 0;
    let close = k + 1;
    for (; close < tokens.length; close++) {
      if (tokens[close]!.text === '(') depth++;
      else if (tokens[close]!.text === ')' && --depth === 0) break;
    }
    if (tokens[close + 1]?.text.toLowerCase() === 'as' && tokens[close + 2]?.text === '(') continue;
    if (!PORTABLE_FUNCTIONS.has(name) && !options.extraFunctions?.has(name)) add('function', `function ${tok.text}() is not on the portable allow-list`, tok.offset);
  }
  return issues.sort((a, b) => a.line - b.line);
}
