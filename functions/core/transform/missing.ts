/**
 * Optional sources that are missing: a province may land only its registry and dossier exports (no
 * 766 answers before 08/2022, no PAR decision tables, no Biểu 06 workbooks). A staging model whose
 * YAML `not_empty` test is at `warn` severity reads such an optional source. When it is empty, the
 * models built from it are empty too, and their own `not_empty` tests report a missing source (a
 * warning naming it) instead of failing the run. The same test on a model whose optional sources all
 * have rows still fails: an empty mart over present data is a defect, not a gap in the drop.
 */
import type { MaterializeResult } from '../engine/types.js';
import type { TransformModel } from './models.js';
import type { TestResult } from './tests.js';

/** What a person calls each optional dataset, and where it comes from (README's drop layout). */
const SOURCE_LABELS: Readonly<Record<string, string>> = {
  bieu06: 'Biểu 06 workbooks (bieu06/)',
  score766: '766 scores (score766/, the report service)',
  score766_metrics: '766 sub-indicators (score766/*.metrics.json, the department detail)',
  par_fields: 'PAR Index decision tables (par/)',
  par_totals: 'PAR Index decision tables (par/)',
};

export interface MissingSource {
  /** Landed dataset, e.g. `par_totals`. */
  readonly dataset: string;
  readonly label: string;
  /** The staging model over it (empty). */
  readonly staging: string;
  /** Marts built from it that came out empty (pages show "no data" for them). */
  readonly emptyMarts: string[];
}

export interface SourceCheck {
  /** The test results, each failing `not_empty` explained by a missing optional source turned into a warning. */
  readonly results: TestResult[];
  readonly missing: MissingSource[];
}

/** Every model `name` reads, directly or through other models. */
function ancestors(byName: Map<string, TransformModel>, name: string, seen = new Set<string>()): Set<string> {
  for (const d of byName.get(name)?.dependsOn ?? []) {
    if (seen.has(d)) continue;
    seen.add(d);
    ancestors(byName, d, seen);
  }
  return seen;
}

export function checkMissingSources(models: readonly TransformModel[], built: readonly MaterializeResult[], results: readonly TestResult[]): SourceCheck {
  const byName = new Map(models.map((m) => [m.name, m]));
  const rows = new Map(built.map((b) => [b.model, b.rows]));
  const optional = models.filter((m) => m.layer === 'staging' && m.tests.some((t) => t.kind === 'not_empty' && t.severity === 'warn'));
  const empty = new Set(optional.filter((m) => rows.get(m.name) === 0).map((m) => m.name));
  const missingOf = (model: string): string[] => [...ancestors(byName, model)].filter((a) => empty.has(a)).sort();

  const checked = results.map((r): TestResult => {
    if (r.passed || r.severity !== 'error' || r.test !== 'not_empty') return r;
    const gaps = missingOf(r.model);
    if (gaps.length === 0) return r;
    return { ...r, severity: 'warn', detail: `missing source: ${gaps.map((g) => `${g} has no rows`).join(', ')}` };
  });

  const marts = models.filter((m) => m.layer === 'marts');
  const missing = [...empty].sort().map((staging): MissingSource => {
    const dataset = staging.replace(/^stg_[a-z0-9]+__/, '');
    return {
      dataset,
      label: SOURCE_LABELS[dataset] ?? dataset,
      staging,
      emptyMarts: marts.filter((m) => rows.get(m.name) === 0 && ancestors(byName, m.name).has(staging)).map((m) => m.name),
    };
  });
  return { results: checked, missing };
}

/** One line per missing source, for summaries: "PAR Index decision tables (par/): no rows landed; empty: par_agency_years, …". */
export function describeMissingSources(missing: readonly MissingSource[]): string[] {
  const byLabel = new Map<string, { datasets: string[]; marts: Set<string> }>();
  for (const m of missing) {
    const e = byLabel.get(m.label) ?? { datasets: [], marts: new Set<string>() };
    e.datasets.push(m.dataset);
    for (const x of m.emptyMarts) e.marts.add(x);
    byLabel.set(m.label, e);
  }
  return [...byLabel].map(([label, e]) => `${label}: nothing landed${e.marts.size ? `; empty marts: ${[...e.marts].sort().join(', ')}` : ''}`);
}
