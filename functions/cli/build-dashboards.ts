/**
 * `cli build-dashboards`: the Evidence site of a local lake (functions/dashboards/build.ts). The one
 * way the dashboards are built: `npm start` (demo.ts) calls it after the pipeline, and the CodeBuild
 * publish build (infra/lib/dashboards/site-hosting.ts) runs the command on the lake `cli export-marts`
 * wrote. Evidence is loaded only when a build runs, so the other commands never touch it.
 */
import type { RunSummary } from '../core/pipeline.js';

export interface BuildDashboardsCommandOptions {
  /** Local lake directory (models/marts/, snapshots/, reports/, meta.json). */
  lakeDir: string;
  /** The Evidence project (default: the repository's dashboards/). */
  dashboardsDir?: string;
  /** Where the static site ends up (default: <project>/build). */
  outDir?: string;
  /** Sub-path the site is served under (default: DASHBOARDS_BASE_PATH or ""). */
  basePath?: string;
  /** Early-warning horizon in working days (the config's warningWorkingDays). */
  warningWorkingDays?: number;
  /** `evidence build:strict` (default true). */
  strict?: boolean;
  log?: (line: string) => void;
}

export type DashboardsSummary = NonNullable<RunSummary['dashboards']>;

export async function runBuildDashboards(opts: BuildDashboardsCommandOptions): Promise<DashboardsSummary> {
  const { buildDashboards } = await import('../dashboards/build.js');
  const built = await buildDashboards({
    lakeDir: opts.lakeDir,
    dashboardsDir: opts.dashboardsDir,
    outDir: opts.outDir,
    basePath: opts.basePath,
    warningWorkingDays: opts.warningWorkingDays,
    strict: opts.strict,
    log: opts.log,
  });
  return {
    outDir: built.outDir,
    preview: `npm run dashboards:preview   (then open http://127.0.0.1:4173${built.basePath || '/'})`,
    pages: built.pages,
    seconds: built.sourcesSeconds + built.buildSeconds,
    sourcesSeconds: built.sourcesSeconds,
    buildSeconds: built.buildSeconds,
  };
}
