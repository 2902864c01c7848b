/**
 * `npm start`: the whole chain on the bundled demo province, with nothing but this machine.
 * Generates the province when absent, serves it through the loopback portal on 127.0.0.1, pulls
 * through the real connectors, lands, transforms, snapshots and builds the dashboards.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildReportPack } from '../core/report/index.js';
import { generateDemo } from '../generator/index.js';
import { startPortal } from '../portal/server.js';
import { MAX_PAGE_SIZE } from '../core/connectors/portal.js';
import { runAll, type PipelineContext, type RunSummary } from '../core/pipeline.js';
import { runBuildDashboards } from './build-dashboards.js';
import { ensureDashboardDeps, REPO_ROOT } from './ensure.js';

export const REAL_766_DIR = path.join(REPO_ROOT, 'functions/portal/fixtures/dvcqg-766');

export interface DemoOptions {
  dataDir: string;
  dossiers?: number;
  real: boolean;
  dashboards: boolean;
  /** Months to snapshot (default: the last six months of the data). */
  snapshots?: string[];
}

interface DemoMeta {
  provinceCode: string;
  fromYear: number;
  toYear: number;
}

export async function runDemo(ctx: PipelineContext, opts: DemoOptions): Promise<RunSummary> {
  const dataDir = path.resolve(opts.dataDir);
  if (!existsSync(path.join(dataDir, 'meta.json'))) {
    ctx.log(`Generating the demo province into ${dataDir} …`);
    await generateDemo({ outDir: dataDir, dossiers: opts.dossiers, onProgress: (d, t) => ctx.onProgress?.('generate', d, t) });
  }
  const meta = JSON.parse(readFileSync(path.join(dataDir, 'meta.json'), 'utf8')) as DemoMeta;
  // A token for this run only: the loopback portal checks it exactly as the real one would.
  const token = randomBytes(24).toString('base64url');
  const portal = await startPortal({ dataDir, token, realDir: opts.real ? REAL_766_DIR : undefined, port: 0 });
  ctx.log(`Loopback portal on ${portal.url}`);
  let summary: RunSummary;
  try {
    // The loopback portal serves up to 5 000 dossiers a page: ten times fewer requests, raw files and
    // manifest entries than the default 500 (kept for real portals); PORTAL_PAGE_SIZE still wins.
    const pageSize = process.env.PORTAL_PAGE_SIZE ? ctx.config.portal.pageSize : MAX_PAGE_SIZE;
    const local: PipelineContext = { ...ctx, config: { ...ctx.config, portal: { ...ctx.config.portal, baseUrl: portal.url, pageSize }, score766BaseUrl: portal.url } };
    const last = meta.toYear;
    summary = await runAll(local, {
      drop: { dir: dataDir, include: ['registry-agencies', 'registry-procedures', 'nsw-csv', 'dossier-export', 'bieu06-xlsx', 'par-xlsx', 'score766-metrics'] },
      portal: { from: `${meta.fromYear}-01`, to: `${last}-12`, token },
      score766: { from: '2022-08', to: `${last}-12`, tinhId: meta.provinceCode },
      real766: opts.real,
      snapshots: opts.snapshots ?? ['07', '08', '09', '10', '11', '12'].map((m) => `${last}-${m}`),
    });
  } finally {
    await portal.close();
  }
  const newest = summary.snapshots.map((x) => x.period).sort().at(-1);
  if (newest) {
    const pack = await buildReportPack(ctx.storage, { period: newest, workDir: ctx.workDir });
    summary.report = { dir: ctx.storage.locate(pack.prefix.replace(/\/$/, '')), files: pack.files.map((f) => f.name) };
  }
  if (opts.dashboards) {
    ensureDashboardDeps((m) => ctx.log(m));
    // The same entry as `cli build-dashboards`.
    summary.dashboards = await runBuildDashboards({ lakeDir: ctx.config.lakeRoot, warningWorkingDays: ctx.config.warningWorkingDays });
  }
  return summary;
}
