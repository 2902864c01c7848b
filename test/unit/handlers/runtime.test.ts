import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, test, vi } from 'vitest';
import { loadConfig } from '../../../functions/core/config.js';
import { logger, monthFromNow, parseEvent, portalToken, YearMonth } from '../../../functions/handlers/_runtime.js';
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

  test('should read {"token"} once, cache it, and never write it to the log', async () => {
    const sm = mockClient(SecretsManagerClient);
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"token":"s3cr3t-value"}' });
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const config = loadConfig(undefined, { PORTAL_TOKEN_SECRET_ARN: arn });
      const client = new SecretsManagerClient({ region: 'ap-southeast-1' });
      expect(await portalToken(config, client)).toBe('s3cr3t-value');
      expect(await portalToken(config, client)).toBe('s3cr3t-value');
      logger.info('config', { config });
    } finally {
      spy.mockRestore();
      sm.restore();
    }
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(lines.join('')).not.toContain('s3cr3t-value');
  });

  test('should refuse when neither a token nor a secret is configured', async () => {
    await expect(portalToken(loadConfig(undefined, {}))).rejects.toThrow(/neither PORTAL_TOKEN nor PORTAL_TOKEN_SECRET_ARN is set/);
  });
});
