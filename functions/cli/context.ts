/**
 * Build the pipeline context for a CLI run: config (file + environment), storage, engine, progress bar.
 */
import cliProgress from 'cli-progress';
import { loadConfig, type PipelineConfig } from '../core/config.js';
import { createError } from '../core/errors.js';
import { localContext } from '../core/local-context.js';
import { s3LakeStorage } from '../core/storage/lake-storage.js';
import type { PipelineContext } from '../core/pipeline.js';

export interface GlobalOptions {
  config?: string;
  lake?: string;
  quiet?: boolean;
}

/**
 * Where the commands that only read and write through Storage act — the staging ones (pull --source drop,
 * ingest) and the rejected-file ones (rejected, retry, discard): an S3 lake too, as the stack lays it out
 * (PIPELINE_LAKE_ROOT=s3://…, PIPELINE_RAW_ROOT, PIPELINE_QUARANTINE_ROOT; AWS credentials from the
 * environment), no DuckDB. From a workstation an operator stages the registry, Biểu 06, PAR, vendor exports
 * and 766 files, which no function pulls (the next scheduled land lands them), and acts on a file the AWS
 * run rejected (docs/deploy.md). Any other lake: buildContext.
 */
export function storageContext(opts: GlobalOptions): PipelineContext {
  const config = loadConfig(opts.config);
  if (opts.lake) config.lakeRoot = opts.lake;
  if (!config.lakeRoot.startsWith('s3://')) return buildContext(opts);
  const bars = new ProgressBars(!opts.quiet && process.stderr.isTTY === true);
  return {
    storage: s3LakeStorage(config),
    config,
    workDir: config.workDir,
    log: (msg) => {
      if (!opts.quiet) bars.log(msg);
    },
    onProgress: (step, done, total) => bars.update(step, done, total),
    engine: () => Promise.reject(createError('cli', `Failed to open a query engine on ${config.lakeRoot}: the CLI only stages files into an S3 lake (and acts on the ones it rejected); the land, transform and snapshot run in the Lambda functions`)),
  };
}

export function buildContext(opts: GlobalOptions, overrides: Partial<PipelineConfig> = {}): PipelineContext {
  const config = { ...loadConfig(opts.config), ...overrides };
  if (opts.lake) config.lakeRoot = opts.lake;
  if (config.lakeRoot.startsWith('s3://')) {
    throw createError('cli', `Failed to open lake ${config.lakeRoot}: the CLI runs embedded on a directory; S3 lakes run through the Lambda functions (docs/deploy.md; the pull --source drop, ingest, rejected, retry, discard and export-marts commands also take an S3 lake)`);
  }
  const bars = new ProgressBars(!opts.quiet && process.stderr.isTTY === true);
  return localContext({
    lakeDir: config.lakeRoot,
    config,
    log: (msg) => {
      if (!opts.quiet) bars.log(msg);
    },
    onProgress: (step, done, total) => bars.update(step, done, total),
  });
}

/** One progress bar per long step, on stderr, only on a terminal (CI logs stay clean). */
class ProgressBars {
  private bar: cliProgress.SingleBar | undefined;
  private step = '';
  constructor(private readonly enabled: boolean) {}

  update(step: string, done: number, total: number): void {
    if (!this.enabled) return;
    if (step !== this.step) {
      this.bar?.stop();
      this.step = step;
      this.bar = new cliProgress.SingleBar(
        { format: `${step.padEnd(10)} {bar} {value}/{total} ({percentage}%) {eta_formatted}`, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(Math.max(total, done), done);
    }
    if (total > 0) this.bar?.setTotal(total);
    else this.bar?.setTotal(Math.max(done, 1));
    this.bar?.update(done);
  }

  log(msg: string): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = undefined;
      this.step = '';
    }
    process.stderr.write(`${msg}\n`);
  }

  stop(): void {
    this.bar?.stop();
  }
}
