#!/usr/bin/env node
/**
 * The command line: each command parses its options, builds a context and calls one core function.
 * `npm start` is `demo`; `npm run cli -- <command> --help` documents the rest.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { buildContext, storageContext, type GlobalOptions } from './context.js';
import { loadConfig } from '../core/config.js';
import { runDemo } from './demo.js';
import { printSummary } from './summary.js';
import { generateDemo } from '../generator/index.js';
import { startPortal } from '../portal/server.js';
import {
  ingestDropDir,
  discardFile,
  ingestFiles,
  land,
  rejectedFiles,
  retryFile,
  pullPortal,
  pullReal766,
  pullScore766,
  runAll,
  RunIncompleteError,
  snapshot,
  type RunSummary,
  transform,
  verify,
} from '../core/pipeline.js';
import { RAW_KIND_NAMES, isRawKind, type RawKind } from '../core/lake/sources.js';
import { RejectedFilesError } from '../core/lake/land.js';
import { SOURCE_NAME } from '../core/transform/snapshot.js';
import { exportMarts } from '../core/export-marts.js';
import { describeMissingSources } from '../core/transform/missing.js';
import { agencyRangeOfLake } from '../core/transform/range.js';
import { SQL_DIR } from '../core/lake/landing-sql.js';
import { formatViDate, parseViDate } from '../core/vi/dates.js';
import { buildReportPack } from '../core/report/index.js';
import { LocalStorage } from '../core/storage/local.js';
import { S3Storage, s3OptionsFromEnv } from '../core/storage/s3.js';
import { formatInspect, inspectExport } from '../core/profiles/inspect.js';
import { YEAR_MONTH } from '../core/schemas/index.js';

const isoDay = (v: string): string => {
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return v;
  try {
    return parseViDate(v);
  } catch {
    throw new InvalidArgumentError(`expected dd/mm/yyyy or YYYY-MM-DD, got ${JSON.stringify(v)}`);
  }
};

const month = (v: string): string => {
  if (!YEAR_MONTH.test(v)) throw new InvalidArgumentError('expected YYYY-MM');
  return v;
};
const int = (v: string): number => {
  const n = Number(v.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
};
const kinds = (v: string): RawKind[] => {
  const out = v.split(',').map((s) => s.trim());
  const bad = out.filter((k) => !isRawKind(k));
  if (bad.length) throw new InvalidArgumentError(`unknown kind ${bad.join(', ')} (one of ${RAW_KIND_NAMES.join(', ')})`);
  return out as RawKind[];
};

const list = (v: string): string[] => {
  const out = v.split(',').map((s) => s.trim());
  if (out.some((s) => !SOURCE_NAME.test(s))) throw new InvalidArgumentError('expected comma-separated source names, e.g. nsw, portal,nsw or one NSW unit nsw/H99.02');
  return out;
};

const program = new Command()
  .name('cchc')
  .description('Administrative-procedure, 766 and PAR Index pipeline: pull → land → transform → snapshot → dashboards')
  .option('--config <file>', 'JSON config file (fields of functions/core/config.ts; environment variables win)')
  .option('--lake <dir>', 'lake directory (default: lake/ or PIPELINE_LAKE_ROOT)')
  .option('-q, --quiet', 'no progress output')
  .showHelpAfterError();

const g = (): GlobalOptions => program.opts<GlobalOptions>();
/** The portal API bearer token: PORTAL_TOKEN, else `portal.token` of the --config file (loadConfig reads both). */
const token = (): string => {
  const t = loadConfig(g().config).portal.token;
  if (!t) throw new Error('[pipeline] [cli] Failed to pull: set PORTAL_TOKEN or portal.token in the --config file (the portal API bearer token)');
  return t;
};

/** A run that failed at its end (rejected files, a month not delivered): the rest ran; print what it did, then fail naming them. */
function summaryThenThrow(err: unknown): never {
  if (err instanceof RejectedFilesError && err.runSummary) printSummary(err.runSummary as RunSummary);
  if (err instanceof RunIncompleteError) printSummary(err.runSummary);
  throw err;
}

program
  .command('demo', { isDefault: false })
  .description('npm start: generate the demo province (if absent), serve it on 127.0.0.1, pull, land, transform, snapshot and build the dashboards')
  .option('--data <dir>', 'demo data directory', 'data/demo')
  .option('--dossiers <n>', 'dossiers to generate when absent', int)
  .option('--no-real', 'leave out the real 766 data (Gia Lai and the 34 provinces)')
  .option('--no-dashboards', 'skip building the dashboards')
  .action(async (o: { data: string; dossiers?: number; real: boolean; dashboards: boolean }) => {
    const summary = await runDemo(buildContext(g()), { dataDir: o.data, dossiers: o.dossiers, real: o.real, dashboards: o.dashboards }).catch(summaryThenThrow);
    printSummary(summary);
  });

program
  .command('build-dashboards')
  .description('build the Evidence dashboards (dashboards/) from a local lake\'s marts, snapshots and report packs into a static site (an S3 lake: cli export-marts first)')
  .option('--out <dir>', 'where the site ends up (default: dashboards/build)')
  .option('--project <dir>', 'the Evidence project (default: dashboards/)')
  .option('--base-path <path>', 'sub-path the site is served under, e.g. /cchc; no page route may begin with it (default: DASHBOARDS_BASE_PATH or none)')
  .option('--no-strict', 'evidence build instead of build:strict (an empty or failing component does not fail the build)')
  .action(async (o: { out?: string; project?: string; basePath?: string; strict: boolean }) => {
    const { runBuildDashboards } = await import('./build-dashboards.js');
    const ctx = buildContext(g());
    const s = await runBuildDashboards({ lakeDir: ctx.config.lakeRoot, dashboardsDir: o.project, outDir: o.out, basePath: o.basePath, strict: o.strict, warningWorkingDays: ctx.config.warningWorkingDays });
    ctx.log(`Built ${s.pages} pages in ${s.seconds.toFixed(0)} s into ${s.outDir}`);
  });

program
  .command('generate')
  .description('write the synthetic demo province (deterministic: same seed, same bytes)')
  .option('--out <dir>', 'output directory', 'data/demo')
  .option('--seed <n>', 'seed', int)
  .option('--dossiers <n>', 'dossiers (default 400 000; up to 10 000 000 and more, streamed)', int)
  .action(async (o: { out: string; seed?: number; dossiers?: number }) => {
    const ctx = buildContext(g());
    const s = await generateDemo({ outDir: o.out, seed: o.seed, dossiers: o.dossiers, onProgress: (d, t) => ctx.onProgress?.('generate', d, t) });
    ctx.log(`Wrote ${s.dossiers.toLocaleString('vi-VN')} dossiers (${(s.totalBytes / 1e6).toFixed(1)} MB) to ${s.outDir}`);
  });

program
  .command('portal')
  .description('serve a demo directory through the loopback portal on 127.0.0.1 (token from PORTAL_TOKEN)')
  .option('--data <dir>', 'demo data directory', 'data/demo')
  .option('--port <n>', 'port (0 = any free port)', int, 8787)
  .action(async (o: { data: string; port: number }) => {
    const portal = await startPortal({ dataDir: o.data, token: token(), port: o.port, realDir: 'functions/portal/fixtures/dvcqg-766' });
    console.log(`Portal on ${portal.url} (Ctrl+C to stop)`);
  });

program
  .command('pull')
  .description('pull from the portal API / the 766 service / a drop directory into raw/')
  .addOption(new Option('--source <source>', 'what to pull').choices(['portal', 'score766', 'real766', 'drop']).makeOptionMandatory())
  .option('--from <month>', 'first month YYYY-MM', month)
  .option('--to <month>', 'last month YYYY-MM', month)
  .option('--period <month>', 'a single month (same as --from M --to M)', month)
  .option('--dir <dir>', 'drop directory (with --source drop), laid out as docs/data-contracts.md says')
  .option('--tinh <code>', 'province code for the 766 service', 'H99')
  .action(async (o: { source: string; from?: string; to?: string; period?: string; dir?: string; tinh: string }) => {
    // A drop is staged into an S3 lake too (the AWS stack pulls only the portal and the NSW drop).
    const ctx = o.source === 'drop' ? storageContext(g()) : buildContext(g());
    const from = o.period ?? o.from;
    const to = o.period ?? o.to ?? from;
    if (o.source === 'drop') {
      if (!o.dir) throw new InvalidArgumentError('--dir is required with --source drop');
      ctx.log(JSON.stringify(await ingestDropDir(ctx, { dir: o.dir })));
      return;
    }
    if (o.source === 'real766') {
      ctx.log(JSON.stringify(await pullReal766(ctx)));
      return;
    }
    if (!from || !to) throw new InvalidArgumentError('--from/--to or --period is required');
    const r = o.source === 'portal' ? await pullPortal(ctx, { from, to, token: token() }) : await pullScore766(ctx, { from, to, tinhId: o.tinh });
    ctx.log(JSON.stringify(r));
  });

program
  .command('ingest')
  .description('stage files of one kind (e.g. CSV exports a person downloaded) into raw/')
  .requiredOption('--kind <kind>', `one of ${RAW_KIND_NAMES.join(', ')}`, (v) => kinds(v)[0]!)
  .option('--period <period>', 'YYYY-MM or YYYY the files are for (default: from the file name)')
  .option('--profile <name>', 'dossier-export: the mapping profile (profiles/<name>.json)')
  .argument('<files...>')
  .action(async (files: string[], o: { kind: RawKind; period?: string; profile?: string }) => {
    const ctx = storageContext(g());
    ctx.log(JSON.stringify(await ingestFiles(ctx, { kind: o.kind, files, period: o.period, profile: o.profile })));
  });

program
  .command('land')
  .description('land staged raw files as Parquet (valid → landed/, invalid → quarantine/ with the reason)')
  .option('--source <kinds>', 'only these raw kinds, comma separated', kinds)
  .action(async (o: { source?: RawKind[] }) => {
    const ctx = buildContext(g());
    const s = await land(ctx, { kinds: o.source });
    ctx.log(`Landed ${s.files.length} files: ${s.rowsRead} rows read, ${s.rowsLanded} landed, ${s.rowsQuarantined} quarantined`);
  });

program
  .command('rejected')
  .description('list the files a land rejected (kept in raw/, waiting for retry or discard), with their error')
  .option('--all', 'also the discarded ones')
  .action(async (o: { all?: boolean }) => {
    const ctx = storageContext(g());
    const list = await rejectedFiles(ctx, { discarded: o.all });
    if (list.length === 0) console.log('No rejected files.');
    for (const r of list) {
      console.log(`${r.sha256.slice(0, 12)}  ${r.kind}  ${r.original_name}  rejected ${r.rejected_at}${r.reason ? ` (${r.reason})` : ''}${r.discarded_at ? `, discarded ${r.discarded_at}` : ''}`);
      console.log(`    ${r.error.replace(/^\[pipeline\] \[\w+\] /, '').replaceAll('\n', '\n    ')}`);
    }
  });

program
  .command('retry')
  .description('let the next land try a rejected file again (after fixing what it needed, e.g. the registry)')
  .argument('<file>', 'its hash (at least 8 characters) or its original name')
  .action(async (ref: string) => {
    const ctx = storageContext(g());
    const r = await retryFile(ctx, ref);
    ctx.log(`${r.original_name} (${r.sha256.slice(0, 12)}) will be landed by the next land`);
  });

program
  .command('discard')
  .description('give up on a rejected file: its bytes leave raw/, a record of it stays, the same bytes are not staged again')
  .argument('<file>', 'its hash (at least 8 characters) or its original name')
  .action(async (ref: string) => {
    const ctx = storageContext(g());
    const r = await discardFile(ctx, ref);
    ctx.log(`${r.original_name} (${r.sha256.slice(0, 12)}) discarded`);
  });

program
  .command('transform')
  .description('run the sql/ models (staging → intermediate → marts) and their tests; incremental models rebuild only the report years new data touches')
  .option('--full-refresh', 'rebuild every partition of the incremental models (as dbt run --full-refresh)')
  .action(async (o: { fullRefresh?: boolean }) => {
    const ctx = buildContext(g());
    const s = await transform(ctx, { fullRefresh: o.fullRefresh === true });
    const parts = s.incremental.partitions ? `: ${s.incremental.partitions.column} ${s.incremental.partitions.values.join(', ') || '(none)'}` : '';
    ctx.log(`Built ${s.models.length} models (${s.incremental.mode}, ${s.incremental.reason}${parts}); ${s.testsPassed} tests passed, ${s.testsWarned} warnings`);
    for (const m of describeMissingSources(s.missingSources)) ctx.log(`Warning: missing source: ${m}`);
  });

program
  .command('snapshot')
  .description('freeze every mart as it was for a month into snapshots/<YYYY-MM>/ (never rewritten once published)')
  .requiredOption('--period <month>', 'YYYY-MM', month)
  .option('--allow-missing <sources>', 'comma-separated dossier sources (portal, nsw, or one NSW unit: nsw/H99.02) whose months without a file (lost exports) the month may be frozen without (recorded in the manifest and the report pack)', list)
  .option('--source-ended <sources>', 'comma-separated dossier sources (or NSW units: nsw/H99.02, e.g. merged away) that have ended: the months since their last file are frozen without them, now and in later snapshots while nothing comes', list)
  .action(async (o: { period: string; allowMissing?: string[]; sourceEnded?: string[] }) => {
    const ctx = buildContext(g());
    const s = await snapshot(ctx, { period: o.period, allowMissing: o.allowMissing ?? [], endedSources: o.sourceEnded ?? [] });
    ctx.log(s.published ? `Published snapshots/${o.period}/ (${s.files} files)` : `snapshots/${o.period}/ was already published; verified ${s.files} files against its manifest`);
  });

program
  .command('report')
  .description('build the monthly report pack (DOCX, PDF, Biểu 06 XLSX, manifest) from the published snapshot of a month into reports/<YYYY-MM>/ (never rewritten; --force writes a new revision)')
  .requiredOption('--period <month>', 'YYYY-MM (its snapshot must be published)', month)
  .option('--out <dir>', 'write the pack under <dir>/reports/<YYYY-MM>/ instead of the lake')
  .option('--force', 'the pack is already published: write a new revision beside it (reports/<YYYY-MM>-r2/ …)')
  .action(async (o: { period: string; out?: string; force?: boolean }) => {
    const ctx = buildContext(g());
    const target = o.out ? new LocalStorage(o.out) : ctx.storage;
    const s = await buildReportPack(ctx.storage, { period: o.period, force: o.force, workDir: ctx.workDir }, target);
    const where = target.locate(s.prefix.replace(/\/$/, ''));
    ctx.log(s.published ? `Published ${where}/ (revision ${s.revision}): ${s.files.map((f) => f.name).join(', ')}` : `${where}/ was already published; verified ${s.files.length} files against its manifest (--force writes a new revision)`);
  });

program
  .command('verify')
  .description('check the lake invariants: accounting per file, unique dossier ids, snapshot hashes')
  .action(async () => {
    const ctx = buildContext(g());
    const r = await verify(ctx);
    ctx.log(`OK: ${r.filesChecked} files, ${r.dossiers} dossiers, ${r.snapshots} snapshots`);
  });

program
  .command('inspect')
  .description("dry run of a vendor export (XLSX/CSV): guess its mapping profile or say which columns it lacks, per-column fill, what would land or be quarantined and why; nothing is staged")
  .argument('<file>')
  .option('--profile <name>', 'use this mapping profile (profiles/<name>.json, or a path to a .json file) instead of guessing')
  .action(async (file: string, o: { profile?: string }) => {
    const ctx = buildContext(g());
    const r = await inspectExport({ path: file, profile: o.profile, storage: ctx.storage, workDir: ctx.workDir });
    process.stdout.write(`${formatInspect(r)}\n`);
    if (!r.profile) process.exitCode = 1;
  });

program
  .command('range')
  .description('Biểu 06 columns c3–c13 for any date range per reporting agency, from the transformed lake (e.g. --from 01/01/2025 --to 30/9/2025)')
  .requiredOption('--from <date>', 'first day, dd/mm/yyyy or YYYY-MM-DD', isoDay)
  .requiredOption('--to <date>', 'last day, dd/mm/yyyy or YYYY-MM-DD', isoDay)
  .option('--agency <code>', 'one reporting agency (default: every unit valid on the last day)')
  .action(async (o: { from: string; to: string; agency?: string }) => {
    const ctx = buildContext(g());
    const engine = await ctx.engine();
    try {
      const rows = await agencyRangeOfLake(engine, ctx.config.lakeRoot, SQL_DIR, o);
      const head = ['agency', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11', 'c12', 'c13', 'name'];
      const lines = rows.map((r) => [r.agency_code, r.received_total, r.received_online, r.received_offline, r.received_carried_over, r.resolved_total,
        r.resolved_early, r.resolved_on_time, r.resolved_late, r.pending_total, r.pending_in_time, r.pending_overdue, r.agency_name ?? ''].map(String));
      // A `--to` after the data's last known date is capped there (as the marts' running period is): say so.
      const end = rows[0]?.period_end ?? o.to;
      const capped = end < o.to ? ` (data ends ${formatViDate(end)}: pending dossiers judged as of that day, not ${formatViDate(o.to)})` : '';
      process.stdout.write(`Biểu 06, ${formatViDate(o.from)}–${formatViDate(end)}${capped}\n${[head, ...lines].map((l) => l.join('\t')).join('\n')}\n`);
    } finally {
      await engine.close();
    }
  });

program
  .command('run')
  .description('everything: pull (portal, drop dir) → land → transform → snapshot → verify (766 scores: pull --source score766, or a drop)')
  .option('--from <month>', 'first month YYYY-MM (pulls the portal)', month)
  .option('--to <month>', 'last month YYYY-MM (default: --from)', month)
  .option('--drop <dir>', 'also ingest this drop directory')
  .option('--snapshot <month>', 'snapshot this month at the end', month)
  .option('--allow-missing <sources>', 'for the snapshot: dossier sources whose months without a file it may be frozen without (as `snapshot --allow-missing`)', list)
  .option('--source-ended <sources>', 'for the snapshot: dossier sources that have ended (as `snapshot --source-ended`)', list)
  .action(async (o: { from?: string; to?: string; drop?: string; snapshot?: string; allowMissing?: string[]; sourceEnded?: string[] }) => {
    if ((o.allowMissing || o.sourceEnded) && !o.snapshot) throw new InvalidArgumentError('--allow-missing and --source-ended are for the snapshot: give --snapshot <month>');
    if (o.to && !o.from) throw new InvalidArgumentError('--to needs --from (the portal pull runs from --from to --to)');
    const ctx = buildContext(g());
    const s = await runAll(ctx, {
      // --from alone pulls that month, as `pull --from` does (it skipped the pull without a word).
      portal: o.from ? { from: o.from, to: o.to ?? o.from, token: token() } : undefined,
      drop: o.drop ? { dir: o.drop } : undefined,
      snapshots: o.snapshot ? [o.snapshot] : [],
      allowMissing: o.allowMissing ?? [],
      endedSources: o.sourceEnded ?? [],
    }).catch(summaryThenThrow);
    printSummary(s);
  });

program
  .command('export-marts')
  .description('write a lake\'s marts (Athena runs on S3, or a local lake) as <out>/models/marts/<mart>.parquet, with snapshots/, for the dashboards build')
  .requiredOption('--out <dir>', 'output lake directory')
  .action(async (o: { out: string }) => {
    // --lake (global) may be s3://bucket[/prefix] here: this command only reads.
    const from = g().lake ?? process.env.PIPELINE_LAKE_ROOT ?? 'lake';
    const storage = from.startsWith('s3://') ? S3Storage.fromUrl(from, s3OptionsFromEnv()) : new LocalStorage(from);
    const s = await exportMarts({ storage, outDir: o.out, workDir: process.env.PIPELINE_WORK_DIR ?? '.tmp/work' });
    if (!g().quiet) console.error(`Exported ${s.marts.length} marts (${s.marts.reduce((n, m) => n + m.rows, 0)} rows) and ${s.snapshotFiles} snapshot files to ${s.outDir}`);
  });

program.parseAsync().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
