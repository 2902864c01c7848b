/**
 * What every Lambda handler shares: the Powertools logger, event parsing, the pipeline context on
 * S3 + Athena, and the portal token from Secrets Manager (cached per container, never logged).
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { z } from 'zod';
import { loadConfig, redactConfig, type PipelineConfig } from '../core/config.js';
import { AthenaEngine } from '../core/engine/athena.js';
import { snapshotDatabaseName } from '../core/engine/catalog.js';
import { createError } from '../core/errors.js';
import { vietnamMonth } from '../core/lake/periods.js';
import type { PipelineContext } from '../core/pipeline.js';
import { s3LakeStorage } from '../core/storage/lake-storage.js';
import { S3Storage, s3OptionsFromEnv } from '../core/storage/s3.js';
import type { Storage } from '../core/storage/types.js';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'cchc-pipeline' });

/** The part of the Lambda context the handlers use. */
export interface LambdaContext {
  awsRequestId: string;
  functionName?: string;
}

export { YearMonth } from '../core/schemas/index.js';

/** The month `offset` months from now, in Asia/Ho_Chi_Minh (UTC+7, no daylight saving). */
export function monthFromNow(offset: number, now: Date = new Date()): string {
  const m = vietnamMonth(now, offset);
  return `${m.year}-${String(m.month).padStart(2, '0')}`;
}

export function parseEvent<T extends z.ZodType>(schema: T, event: unknown, handler: string): z.infer<T> {
  const r = schema.safeParse(event ?? {});
  if (!r.success) {
    throw createError(handler, `Failed to parse the event: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
  return r.data;
}

/** Config from the function's environment (set by the CDK stack). */
export function startInvocation(context: LambdaContext | undefined): PipelineConfig {
  logger.resetKeys();
  if (context) logger.appendKeys({ requestId: context.awsRequestId });
  const config = loadConfig(undefined, process.env);
  logger.debug('config', { config: redactConfig(config) });
  return config;
}

/** The lake's storage as the stack lays it out (functions/core/storage/lake-storage.ts, shared with the CLI). */
export const lakeStorage: (config: PipelineConfig) => Storage = s3LakeStorage;

export interface ContextOptions {
  /** Suffix of the Athena run tables and prefixes (default: time + random). */
  runId?: string;
}

/** First wait before polling an Athena query (ms): ATHENA_POLL_INITIAL_MS, default 250. */
function athenaPoll(env: Record<string, string | undefined> = process.env): { initialDelayMs: number } | undefined {
  const v = env.ATHENA_POLL_INITIAL_MS;
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 60_000) throw createError('handler', `Failed to read ATHENA_POLL_INITIAL_MS: expected 1–60000 ms, got "${v}"`);
  return { initialDelayMs: n };
}

/** Where a snapshot's scratch models live on the lake bucket (each run collects the previous one's). */
export const SNAPSHOT_MODELS_PREFIX = 'work/snapshot/models';

export function pipelineContext(config: PipelineConfig, requestId = 'local', opts: ContextOptions = {}): PipelineContext {
  const storage = lakeStorage(config);
  const poll = athenaPoll();
  return {
    storage,
    config,
    workDir: path.join(config.workDir, requestId),
    log: (msg, data) => logger.info(msg, { ...(data ?? {}) }),
    engine: async (o) => {
      if (!config.athena) throw createError('handler', 'Failed to build the query engine: ATHENA_WORKGROUP and ATHENA_DATABASE are not set');
      const { snapshotDatabase, ...athena } = config.athena;
      return new AthenaEngine({
        ...athena,
        // A snapshot's scratch models: its own database (reading the lake's tables from the main one)
        // and prefix, so the lake's models and views are never touched.
        ...(o?.scratch ? { database: snapshotDatabase ?? snapshotDatabaseName(athena.database), sourceDatabase: athena.database, modelsPrefix: SNAPSHOT_MODELS_PREFIX } : {}),
        storage,
        ...(opts.runId ? { runId: opts.runId } : {}),
        ...(poll ? { poll } : {}),
        log: (msg, data) => logger.info(msg, { ...(data ?? {}) }),
      });
    },
  };
}

/** Remove a scratch directory (the Lambda's /tmp survives between invocations of a warm container). */
export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

const SECRET_TTL_MS = 5 * 60_000;
let secretsClient: SecretsManagerClient | undefined;
const secretCache = new Map<string, { value: string; at: number }>();

/** The portal token: PORTAL_TOKEN, or the secret PORTAL_TOKEN_SECRET_ARN (plain text or {"token": "…"}). */
export async function portalToken(config: PipelineConfig, client?: SecretsManagerClient): Promise<string> {
  if (config.portal.token) return config.portal.token;
  const arn = config.portal.tokenSecretArn;
  if (!arn) throw createError('handler', 'Failed to read the portal token: neither PORTAL_TOKEN nor PORTAL_TOKEN_SECRET_ARN is set');
  const hit = secretCache.get(arn);
  if (hit && Date.now() - hit.at < SECRET_TTL_MS) return hit.value;
  const sm = client ?? (secretsClient ??= new SecretsManagerClient({}));
  const out = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
  const text = out.SecretString?.trim();
  let value = text;
  if (text?.startsWith('{')) {
    // Neither the parser's message nor the cause: JSON.parse quotes the text it failed on, the token with it.
    const parsed = z.object({ token: z.string().min(1) }).safeParse((() => { try { return JSON.parse(text) as unknown; } catch { return undefined; } })());
    if (!parsed.success) throw createError('handler', `Failed to read the portal token from ${arn}: the secret begins with "{" but is not JSON of the form {"token": "…"}`);
    value = parsed.data.token;
  }
  if (!value) throw createError('handler', `Failed to read the portal token from ${arn}: the secret is empty`);
  secretCache.set(arn, { value, at: Date.now() });
  return value;
}

/** The objects under an s3:// URL (a drop prefix) as a Storage rooted there. */
export function s3Prefix(url: string): S3Storage {
  return S3Storage.fromUrl(url, s3OptionsFromEnv());
}
