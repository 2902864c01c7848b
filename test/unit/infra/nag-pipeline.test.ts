import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, describe, expect, test } from 'vitest';
import { buildApp } from '../../../infra/bin/app.js';
import { NAG_ACKNOWLEDGEMENTS } from '../../../infra/lib/nag-suppressions.js';

const dirs: string[] = [];
function app(): App {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'cdk-nag-'));
  dirs.push(outdir);
  return new App({ outdir, context: { 'cchc:stubBundling': true, 'cchc:region': 'ap-southeast-1' } });
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

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
