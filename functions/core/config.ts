/**
 * Pipeline configuration: one zod schema shared by the CLI and the Lambda handlers.
 *
 * Sources, later wins: schema defaults → JSON file (optional) → environment variables.
 * The portal token is a secret: give it as `PORTAL_TOKEN` (local) or as the ARN of a Secrets Manager
 * secret (`PORTAL_TOKEN_SECRET_ARN`, AWS); it is never part of a log line (see redactConfig).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_PAGES_AHEAD, MAX_PAGES_AHEAD } from './connectors/portal.js';
import { createError } from './errors.js';

const NonEmpty = z.string().trim().min(1);

export const PortalConfig = z.object({
  /** Base URL of the dossier portal API, e.g. http://127.0.0.1:8787 */
  baseUrl: z.url().default('http://127.0.0.1:8787'),
  /** Bearer token (local runs). */
  token: NonEmpty.optional(),
  /** Secrets Manager secret holding the token (AWS runs); read at run time. */
  tokenSecretArn: NonEmpty.optional(),
  /** Page size asked of the portal. */
  pageSize: z.number().int().min(1).max(5000).default(500),
  /**
   * Requests asked for while a page is staged (0: one request at a time): the month's next pages, then
   * the next months' first pages, and the 766 pull's next months. A distant portal's round trip, not its
   * bytes, bounds a pull. Lower it for a portal that limits clients.
   */
  pagesAhead: z.number().int().min(0).max(MAX_PAGES_AHEAD).default(DEFAULT_PAGES_AHEAD),
});
export type PortalConfig = z.infer<typeof PortalConfig>;

export const AthenaConfig = z.object({
  workGroup: NonEmpty,
  database: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a lower-case Glue database name'),
  /** The snapshot's own database (its as-of views and scratch models). @default `<database>_snapshot` */
  snapshotDatabase: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a lower-case Glue database name').optional(),
  /**
   * Models a transform runs on Athena at once, each as soon as the models it reads are built
   * (runModels). 1 (the default) runs them one after the other, as the recorded-statement tests do;
   * more saves Athena's queueing and planning time per model, within the workgroup's DML quota.
   */
  concurrency: z.number().int().min(1).max(16).default(1),
});
export type AthenaConfig = z.infer<typeof AthenaConfig>;

const IsoDay = z.iso.date();

/**
 * Real 766 captures to pull (`cli pull --source real766`): the national answer of a year, then each
 * province's units at its capture dates (and, at detailCaptures, every unit's detail). The default is
 * what the shared real files hold (functions/portal/fixtures/dvcqg-766, served by the loopback portal):
 * Gia Lai, whose department id on the 766 service is the one below.
 */
export const Real766Plan = z
  .object({
    year: z.number().int().min(2000).max(2100),
    /** Capture date of the national answer. */
    nationalAsOf: IsoDay,
    provinces: z.array(
      z
        .object({
          name: NonEmpty,
          /** The province's department id on the 766 service. */
          departmentId: NonEmpty,
          captures: z.array(IsoDay),
          detailCaptures: z.array(IsoDay),
        })
        .strict()
        .refine((p) => p.detailCaptures.every((d) => p.captures.includes(d)), { message: 'every detailCaptures date must be one of captures', path: ['detailCaptures'] }),
    ),
  })
  .strict();
export type Real766Plan = z.infer<typeof Real766Plan>;

export const DEFAULT_REAL_766_PLAN: Real766Plan = {
  year: 2026,
  nationalAsOf: '2026-09-17',
  provinces: [
    { name: 'Gia Lai', departmentId: '019d2be3-6a85-74ec-a346-6489e82ae4c7', captures: ['2026-09-24', '2026-10-10'], detailCaptures: ['2026-10-10'] },
  ],
};

export const PipelineConfig = z.object({
  /** Lake root: a directory, or s3://bucket/prefix. */
  lakeRoot: NonEmpty.default('lake'),
  /** Where raw/ and manifest/ keys live when not under lakeRoot (AWS: the raw bucket). */
  rawRoot: NonEmpty.optional(),
  /** Where quarantine/ keys live when not under lakeRoot (AWS: the quarantine bucket). */
  quarantineRoot: NonEmpty.optional(),
  portal: PortalConfig.prefault({}),
  /** Base URL of the 766 report service (defaults to the portal's). */
  score766BaseUrl: z.url().optional(),
  /** Real 766 captures `pull --source real766` fetches (default: the shared real files' plan). */
  real766: Real766Plan.default(DEFAULT_REAL_766_PLAN),
  /** Where agencies drop NSW CSV exports: a directory, or s3://bucket/prefix. */
  nswDropPrefix: NonEmpty.default('data/demo/nsw'),
  /** Directory for scratch files (DuckDB spill, downloaded pages). */
  workDir: NonEmpty.default('.tmp/work'),
  engine: z.enum(['duckdb', 'athena']).default('duckdb'),
  /** Required when engine is 'athena'. */
  athena: AthenaConfig.optional(),
  /**
   * Early warning ("Cảnh báo sớm"): pending dossiers due within this many working days are listed
   * (sql/marts/warning_dossiers_due.sql keeps up to 10).
   */
  warningWorkingDays: z.number().int().min(0).max(10).default(3),
}).superRefine((c, ctx) => {
  if (c.engine === 'athena' && !c.athena) {
    ctx.addIssue({ code: 'custom', path: ['athena'], message: "engine 'athena' needs athena.workGroup and athena.database" });
  }
});
export type PipelineConfig = z.infer<typeof PipelineConfig>;

/** Environment variable → config path. Only these are read. */
export const CONFIG_ENV: Readonly<Record<string, readonly string[]>> = {
  PIPELINE_LAKE_ROOT: ['lakeRoot'],
  PIPELINE_RAW_ROOT: ['rawRoot'],
  PIPELINE_QUARANTINE_ROOT: ['quarantineRoot'],
  PIPELINE_WORK_DIR: ['workDir'],
  PIPELINE_ENGINE: ['engine'],
  PORTAL_BASE_URL: ['portal', 'baseUrl'],
  PORTAL_TOKEN: ['portal', 'token'],
  PORTAL_TOKEN_SECRET_ARN: ['portal', 'tokenSecretArn'],
  PORTAL_PAGE_SIZE: ['portal', 'pageSize'],
  PORTAL_PAGES_AHEAD: ['portal', 'pagesAhead'],
  SCORE766_BASE_URL: ['score766BaseUrl'],
  NSW_DROP_PREFIX: ['nswDropPrefix'],
  ATHENA_WORKGROUP: ['athena', 'workGroup'],
  ATHENA_DATABASE: ['athena', 'database'],
  ATHENA_SNAPSHOT_DATABASE: ['athena', 'snapshotDatabase'],
  ATHENA_MODEL_CONCURRENCY: ['athena', 'concurrency'],
  PIPELINE_WARNING_WORKING_DAYS: ['warningWorkingDays'],
};

/** The variables of CONFIG_ENV that hold numbers (validated by the schema like the file's). */
const NUMERIC_ENV = new Set(['PORTAL_PAGE_SIZE', 'PORTAL_PAGES_AHEAD', 'PIPELINE_WARNING_WORKING_DAYS', 'ATHENA_MODEL_CONCURRENCY']);

/**
 * Load and validate the configuration.
 * @param file optional JSON file (same shape as PipelineConfig, all fields optional)
 * @param env environment (default process.env); see CONFIG_ENV for the variables read
 */
export function loadConfig(file?: string, env: Record<string, string | undefined> = process.env): PipelineConfig {
  let base: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (cause) {
      throw createError('config', `Failed to read config file ${file}: ${(cause as Error).message}`, { cause });
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('expected a JSON object');
      base = parsed as Record<string, unknown>;
    } catch (cause) {
      throw createError('config', `Failed to parse config file ${file}: ${(cause as Error).message}`, { cause });
    }
  }
  for (const [name, path] of Object.entries(CONFIG_ENV)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(base, path, NUMERIC_ENV.has(name) ? Number(value) : value);
  }
  const result = PipelineConfig.safeParse(base);
  if (!result.success) {
    const where = file ? `config file ${file} + environment` : 'environment';
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw createError('config', `Failed to validate ${where}: ${issues}`);
  }
  return result.data;
}

/** A copy safe to log: the token replaced by '***'. */
export function redactConfig(config: PipelineConfig): PipelineConfig {
  return { ...config, portal: { ...config.portal, ...(config.portal.token ? { token: '***' } : {}) } };
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target;
  for (const part of path.slice(0, -1)) {
    const next = node[part];
    if (!next || typeof next !== 'object') node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}
