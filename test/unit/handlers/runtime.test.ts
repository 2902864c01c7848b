import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, test, vi } from 'vitest';
import { loadConfig, redactConfig, type PipelineConfig } from '../../../functions/core/config.js';
import { logger, monthFromNow, parseEvent, portalToken, startInvocation, YearMonth } from '../../../functions/handlers/_runtime.js';
import { z } from 'zod';

describe('monthFromNow given instants near a month boundary', () => {
  test('should count months in Asia/Ho_Chi_Minh (UTC+7), not UTC', () => {
    // 2026-04-30 18:30 UTC is already 2026-05-01 01:30 in Hà Nội.
    const now = new Date('2026-04-30T18:30:00Z');
    expect(monthFromNow(0, now)).toBe('2026-05');
    expect(monthFromNow(-1, now)).toBe('2026-04');
    expect(monthFromNow(-1, new Date('2026-01-15T00:00:00Z'))).toBe('2025-12');
  });
});

describe('parseEvent given a bad event', () => {
  test('should name the field and the handler', () => {
    expect(() => parseEvent(z.object({ period: YearMonth }), { period: '2026-13' }, 'snapshot')).toThrow(/\[snapshot\] Failed to parse the event: period: expected YYYY-MM/);
  });
});

describe('portalToken given a Secrets Manager secret', () => {
  const arn = 'arn:aws:secretsmanager:ap-southeast-1:111122223333:secret:portal-token-AbCdEf';

  test('should read {"token"} once and cache it', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"token":"s3cr3t-value"}' });
    try {
      const config = loadConfig(undefined, { PORTAL_TOKEN_SECRET_ARN: arn });
      const client = new SecretsManagerClient({ region: 'ap-southeast-1' });
      expect(await portalToken(config, client)).toBe('s3cr3t-value');
      expect(await portalToken(config, client)).toBe('s3cr3t-value');
    } finally {
      sm.restore();
    }
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  test('should refuse a secret that is not the JSON it looks like without quoting any of it', async () => {
    const sm = mockClient(SecretsManagerClient);
    // Unquoted: JSON.parse's own message would quote the text around the fault, the token with it.
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"token": tk_live_9f8e7d6c5b4a}' });
    try {
      const config = loadConfig(undefined, { PORTAL_TOKEN_SECRET_ARN: `${arn}-bad` });
      const err = (await portalToken(config, new SecretsManagerClient({ region: 'ap-southeast-1' })).catch((e: unknown) => e)) as Error;
      expect(err.message).toMatch(/Failed to read the portal token from .*-bad: the secret begins with "\{" but is not JSON of the form \{"token": "…"\}/);
      expect(`${err.message} ${String(err.cause ?? '')} ${err.stack ?? ''}`).not.toMatch(/tk_live|9f8e/);
    } finally {
      sm.restore();
    }
  });

  test('should refuse when neither a token nor a secret is configured', async () => {
    await expect(portalToken(loadConfig(undefined, {}))).rejects.toThrow(/neither PORTAL_TOKEN nor PORTAL_TOKEN_SECRET_ARN is set/);
  });
});

describe('startInvocation given a config that holds the portal token', () => {
  const TOKEN = 'tok-3f9a1c7e-never-logged';

  /** What the Powertools logger writes to stdout while `fn` runs, at DEBUG (the level the config is logged at). */
  function logged(fn: () => void): string {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const level = logger.getLevelName();
    logger.setLogLevel('DEBUG');
    try {
      fn();
    } finally {
      logger.setLogLevel(level);
      spy.mockRestore();
    }
    return lines.join('');
  }

  test('should log the config with the token replaced by *** and every other setting kept', () => {
    vi.stubEnv('PORTAL_TOKEN', TOKEN);
    vi.stubEnv('PIPELINE_LAKE_ROOT', 's3://lake-bucket/demo');
    try {
      let config: PipelineConfig | undefined;
      const out = logged(() => {
        config = startInvocation({ awsRequestId: 'req-1' });
      });
      // The config the handler runs with holds the token …
      expect(config?.portal.token).toBe(TOKEN);
      // … and the log line shows that config, redacted.
      const line = out.split('\n').map((l) => (l.trim() ? (JSON.parse(l) as { message?: string; config?: PipelineConfig }) : {})).find((l) => l.message === 'config');
      expect(line?.config?.lakeRoot).toBe('s3://lake-bucket/demo');
      expect(line?.config?.portal.token).toBe('***');
      expect(out).not.toContain(TOKEN);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  test('should show the capture would see the token if the config were logged unredacted', () => {
    // The control for the test above: the same logger and capture do catch a leaked token.
    const config = loadConfig(undefined, { PORTAL_TOKEN: TOKEN });
    expect(logged(() => logger.debug('config', { config }))).toContain(TOKEN);
    expect(logged(() => logger.debug('config', { config: redactConfig(config) }))).not.toContain(TOKEN);
  });
});

describe('ATHENA_MODEL_CONCURRENCY', () => {
  const athena = { ATHENA_WORKGROUP: 'cchc', ATHENA_DATABASE: 'cchc', PIPELINE_ENGINE: 'athena' };
  test('should run one model at a time on Athena unless the variable says more', () => {
    expect(loadConfig(undefined, athena).athena?.concurrency).toBe(1);
    expect(loadConfig(undefined, { ...athena, ATHENA_MODEL_CONCURRENCY: '4' }).athena?.concurrency).toBe(4);
  });

  test('should refuse a count that is not a whole number from 1 to 16, naming the setting', () => {
    for (const bad of ['0', '2.5', '17', 'many']) {
      expect(() => loadConfig(undefined, { ...athena, ATHENA_MODEL_CONCURRENCY: bad }), bad).toThrow(/athena\.concurrency/);
    }
  });
});

describe('PORTAL_PAGES_AHEAD', () => {
  test('should ask 3 pages ahead unless told, 0 for one request at a time', () => {
    expect(loadConfig(undefined, {}).portal.pagesAhead).toBe(3);
    expect(loadConfig(undefined, { PORTAL_PAGES_AHEAD: '0' }).portal.pagesAhead).toBe(0);
  });

  test('should refuse a count that is not a whole number from 0 to 8, naming the setting', () => {
    for (const bad of ['-1', '1.5', '9', 'all']) {
      expect(() => loadConfig(undefined, { PORTAL_PAGES_AHEAD: bad }), bad).toThrow(/portal\.pagesAhead/);
    }
  });
});
