/**
 * `npm run bench -- --only dashboards --carry bench/out/results-….json`: re-measure some sections and
 * keep the others' figures from an earlier full run, so BENCHMARKS.md stays whole when one section is
 * re-measured (a full run takes 30–50 min on this host). The report names the carried sections and
 * the run they come from; nothing carried is presented as measured in this run.
 */
import type { BenchResults } from './report.js';

/** The report's sections, in the order bench/run.ts runs them. */
export const BENCH_SECTIONS = ['e2e', 'baseline', 'naive', 'incremental', 'dashboards'] as const;
export type BenchSection = (typeof BENCH_SECTIONS)[number];

export interface CarriedFrom {
  /** startedAt of the run the figures come from. */
  startedAt: string;
  sections: BenchSection[];
  settings: BenchResults['settings'];
  loadAverageAtStart: number[];
  loadAverageAtEnd?: number[];
}

/**
 * The runs a results file's carried sections come from: `carried` was one run (older files) and is a
 * list now, one entry per run.
 */
export function carriedOrigins(r: Pick<BenchResults, 'carried'>): CarriedFrom[] {
  return r.carried === undefined ? [] : Array.isArray(r.carried) ? r.carried : [r.carried];
}

/** The run a carried section's figures were measured in, or undefined when `r` measured it. */
export function carriedOrigin(r: Pick<BenchResults, 'carried'>, section: BenchSection): CarriedFrom | undefined {
  return carriedOrigins(r).find((c) => c.sections.includes(section));
}

/**
 * `run` with every section it did not measure (`measured`) taken from `from`, and `run.carried`
 * saying which, each under the run that MEASURED it: a section `from` itself carried keeps its own
 * origin (carried from a carried run, it was once attributed to the run it was copied from). A section
 * `from` did not measure either stays unmeasured, with `from`'s reason. Pure: returns a new object.
 */
export function carrySections(run: BenchResults, from: BenchResults, measured: ReadonlySet<BenchSection>): BenchResults {
  const out: BenchResults = { ...run, datasets: { ...run.datasets }, skipped: { ...run.skipped } };
  const origins = new Map<string, CarriedFrom>();
  const take = (s: BenchSection, has: boolean, copy: () => void): void => {
    if (measured.has(s)) return;
    if (has) {
      copy();
      delete out.skipped[s];
      const origin: Omit<CarriedFrom, 'sections'> = carriedOrigin(from, s) ?? {
        startedAt: from.startedAt,
        settings: from.settings,
        loadAverageAtStart: from.machine.loadAverageAtStart,
        ...(from.loadAverageAtEnd ? { loadAverageAtEnd: from.loadAverageAtEnd } : {}),
      };
      const group = origins.get(origin.startedAt) ?? { ...origin, sections: [] };
      group.sections.push(s);
      origins.set(origin.startedAt, group);
    } else if (from.skipped[s]) out.skipped[s] = `not measured in the carried run of ${from.startedAt.slice(0, 16).replace('T', ' ')} UTC either: ${from.skipped[s]}`;
  };
  take('e2e', Object.keys(from.e2e).length > 0, () => {
    out.e2e = from.e2e;
    for (const n of Object.keys(from.e2e)) if (from.datasets[Number(n)]) out.datasets[Number(n)] = from.datasets[Number(n)]!;
  });
  take('baseline', Object.keys(from.baseline).length > 0, () => {
    out.baseline = from.baseline;
    for (const n of Object.keys(from.baseline)) if (from.datasets[Number(n)]) out.datasets[Number(n)] = from.datasets[Number(n)]!;
  });
  take('naive', from.naive !== undefined, () => (out.naive = from.naive));
  take('incremental', from.incremental !== undefined, () => (out.incremental = from.incremental));
  take('dashboards', from.dashboards !== undefined, () => (out.dashboards = from.dashboards));
  if (origins.size > 0) out.carried = [...origins.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  else delete out.carried;
  return out;
}
