import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildApp } from '../../../infra/bin/app.js';
import { NAG_ACKNOWLEDGEMENTS } from '../../../infra/lib/nag-suppressions.js';
import { testApp } from './helpers.js';

const app = (): ReturnType<typeof testApp> => testApp();

describe('AwsSolutionsChecks given the pipeline stack', () => {
  test('should report no unacknowledged finding', () => {
    const a = app();
    buildApp(a);
    expect(() => a.synth()).not.toThrow();
  });

  test('should give every acknowledgement a written reason', () => {
    const a = app();
    const { stack } = buildApp(a);
    const acks = NAG_ACKNOWLEDGEMENTS.get(stack)!;
    expect(acks.length).toBeGreaterThan(20);
    for (const ack of acks) {
      expect(ack.id, ack.path).toMatch(/^AwsSolutions-[A-Z]+\d+/);
      expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThanOrEqual(30);
    }
  });

  test('should fail synthesis when the acknowledgements are left out (the checks bite)', () => {
    const a = app();
    buildApp(a, { nagAcknowledgements: false });
    expect(() => a.synth()).toThrow(/AwsSolutions/);
    const report = JSON.parse(readFileSync(path.join(a.outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { violations: { ruleName: string }[] }[] };
    const rules = report.pluginReports.flatMap((r) => r.violations.map((v) => v.ruleName));
    expect(rules).toContain('AwsSolutions-SMG4');
    expect(rules).toContain('AwsSolutions-SQS3');
  });
});
