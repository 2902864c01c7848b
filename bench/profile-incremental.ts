/**
 * `npx tsx bench/profile-incremental.ts <dataDir> <outDir> [--runs 1] [--full] [--from 2019-01] [--from-766 2022-08]`
 *
 * Where a new month's transform spends its time, on the bench's incremental scenario (seven years
 * 2019-01…2025-11 pulled from the loopback portal, then 2025-12; --from and --from-766 start the history
 * and its 766 answers later, for a dataset generated with a later `fromYear`): the history and the month's land
 * are built once into <outDir>/landed (kept between invocations, rebuilt when absent), then each run
 * copies that lake and transforms it with PIPELINE_DEBUG_TIMINGS=1, printing the seconds of every
 * step, model and YAML test (slowest first). --full adds a `--full-refresh` transform of the same
 * lake for comparison. --land profiles the month's land instead (landStaged's seconds per phase), on
 * copies of <outDir>/staged: the history landed and transformed, the month staged and not landed.
 * Nothing under <dataDir> is changed.
 */
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { landStaged, type LandProfile } from '../functions/core/lake/land.js';
import { ingestDropDir, ingestFiles, pullPortal, pullScore766, transform } from '../functions/core/pipeline.js';
import { localContext } from '../functions/core/local-context.js';
import type { RawKind } from '../functions/core/lake/sources.js';
import { BENCH_TOKEN, FIRST_MONTH, LAST_MONTH, MEMORY_LIMIT, nswFiles } from './lib/pipeline-jobs.js';
import { settleDisk } from './lib/child.js';
import { startPortalProcess } from './lib/portal.js';

const o = new Command().argument('<dataDir>').argument('<outDir>').option('--runs <n>', 'runs of the month transform', '1').option('--full', 'also time a --full-refresh transform', false).option('--land', "profile the month's land, not its transform", false)
  .option('--from <yyyy-mm>', "the history's first month (the dataset's first)", FIRST_MONTH)
  .option('--from-766 <yyyy-mm>', "the first month of the history's 766 answers", '2022-08')
  .parse();
const [dataDir, outDir] = o.args.map((a) => path.resolve(a)) as [string, string];
const opts = o.opts<{ runs: string; full: boolean; land: boolean; from: string; from766: string }>();
const SMALL_DROP: RawKind[] = ['registry-agencies', 'registry-procedures', 'bieu06-xlsx', 'par-xlsx', 'score766-metrics'];
const landedLake = path.join(outDir, 'landed');
const stagedLake = path.join(outDir, 'staged');
// The lake the runs copy: the month landed (transform runs) or only staged (--land).
const lakeDir = opts.land ? stagedLake : landedLake;

if (!existsSync(path.join(lakeDir, 'models', '_state'))) {
  await rm(lakeDir, { recursive: true, force: true });
  await rm(path.join(outDir, 'work'), { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const portal = await startPortalProcess(dataDir);
  try {
    const ctx = localContext({ lakeDir, workDir: path.join(outDir, 'work'), portal: { baseUrl: portal.url, pageSize: 5000 }, memoryLimit: MEMORY_LIMIT });
    const stage = async (from: string, to: string, first: boolean, land = true): Promise<void> => {
      if (first) await ingestDropDir(ctx, { dir: dataDir, include: SMALL_DROP });
      for (const f of await nswFiles(dataDir, (m) => m >= from && m <= to)) await ingestFiles(ctx, { kind: 'nsw-csv', files: [f] });
      await pullPortal(ctx, { from, to, token: BENCH_TOKEN });
      await pullScore766(ctx, { from: first ? opts.from766 : from, to, tinhId: 'H99' });
      if (land) await landStaged({ storage: ctx.storage, workDir: ctx.workDir, memoryLimit: MEMORY_LIMIT });
    };
    await stage(opts.from, '2025-11', true);
    await transform(ctx);
    await stage(LAST_MONTH, LAST_MONTH, false, !opts.land);
    console.log(`history and ${LAST_MONTH} ${opts.land ? 'staged' : 'landed'} into ${lakeDir}`);
  } finally {
    await portal.close();
  }
}

if (opts.land) {
  for (let k = 0; k < Number(opts.runs); k++) {
    const lake = path.join(outDir, `land-${k}`);
    await rm(lake, { recursive: true, force: true });
    await cp(stagedLake, lake, { recursive: true });
    settleDisk();
    const profile: LandProfile = {};
    const t0 = performance.now();
    const ctx = localContext({ lakeDir: lake, workDir: path.join(outDir, `land-work-${k}`), memoryLimit: MEMORY_LIMIT });
    await landStaged({ storage: ctx.storage, workDir: ctx.workDir, memoryLimit: MEMORY_LIMIT, profile });
    console.log(`\n## ${LAST_MONTH} land: ${((performance.now() - t0) / 1000).toFixed(2)} s`);
    for (const [phase, sec] of Object.entries(profile).sort((a, b) => b[1] - a[1])) console.log(`  ${sec.toFixed(3)}  ${phase}`);
    await rm(lake, { recursive: true, force: true });
    await rm(path.join(outDir, `land-work-${k}`), { recursive: true, force: true });
  }
  process.exit(0);
}

process.env.PIPELINE_DEBUG_TIMINGS = '1';
const modes: ('incremental' | 'full')[] = [...Array.from({ length: Number(opts.runs) }, () => 'incremental' as const), ...(opts.full ? (['full'] as const) : [])];
for (const [k, mode] of modes.entries()) {
  const lake = path.join(outDir, `run-${k}`);
  await rm(lake, { recursive: true, force: true });
  await cp(landedLake, lake, { recursive: true });
  settleDisk();
  const lines: { what: string; seconds: number }[] = [];
  const ctx = localContext({
    lakeDir: lake,
    workDir: path.join(outDir, `work-${k}`),
    memoryLimit: MEMORY_LIMIT,
    log: (msg, data) => {
      const m = /^transform timing: (.*) ([0-9.]+) s$/.exec(msg);
      if (m) lines.push({ what: m[1]!, seconds: Number(m[2]) });
      else console.log(msg, data ? JSON.stringify(data) : '');
    },
  });
  const s = await transform(ctx, { fullRefresh: mode === 'full' });
  const sum = (re: RegExp): number => lines.filter((l) => re.test(l.what)).reduce((a, l) => a + l.seconds, 0);
  console.log(`\n## ${mode} transform: ${s.seconds.toFixed(2)} s (models ${sum(/^models$/).toFixed(2)}, tests ${sum(/^tests$/).toFixed(2)}, model lines ${sum(/^model /).toFixed(2)}, test lines ${sum(/^test /).toFixed(2)})`);
  for (const l of lines.filter((x) => !/^(model|test) /.test(x.what))) console.log(`  ${l.what}: ${l.seconds.toFixed(3)}`);
  console.log('  slowest models:');
  for (const l of lines.filter((x) => x.what.startsWith('model ')).sort((a, b) => b.seconds - a.seconds).slice(0, 14)) console.log(`    ${l.seconds.toFixed(3)}  ${l.what.slice(6)}`);
  console.log('  tests per model (sum):');
  const perModel = new Map<string, number>();
  for (const l of lines.filter((x) => x.what.startsWith('test '))) {
    const name = l.what.split(' ')[1]!;
    perModel.set(name, (perModel.get(name) ?? 0) + l.seconds);
  }
  for (const [name, sec] of [...perModel].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`    ${sec.toFixed(3)}  ${name}`);
  await rm(lake, { recursive: true, force: true });
  await rm(path.join(outDir, `work-${k}`), { recursive: true, force: true });
}
