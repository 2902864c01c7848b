import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll } from 'vitest';
import { buildApp } from '../../../infra/bin/app.js';
import type { PipelineStack } from '../../../infra/lib/pipeline-stack.js';

const outdirs: string[] = [];
afterAll(() => {
  for (const d of outdirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * An App with stub Lambda code whose synth output goes to a temporary directory removed after the test
 * file (an App without `outdir` synthesises into a new /tmp/cdk.outXXXXXX, ~4.5 MB, that nothing removes).
 */
export function testApp(context: Record<string, unknown> = {}): App {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'cdk-test-'));
  outdirs.push(outdir);
  return new App({ outdir, context: { 'cchc:stubBundling': true, 'cchc:region': 'ap-southeast-1', ...context } });
}

/** The whole app with stub Lambda code (real bundling is exercised in bundling.test.ts and by `cdk synth`). */
export function synthStack(context: Record<string, unknown> = {}): { app: App; stack: PipelineStack; template: Template } {
  const app = testApp(context);
  const { stack } = buildApp(app, { env: { account: '111122223333', region: 'ap-southeast-1' } });
  return { app, stack, template: Template.fromStack(stack) };
}

type Json = unknown;

/** Render a CloudFormation value as text: {Fn::GetAtt:[X,Arn]} → "<X.Arn>", {Ref:X} → "<X>", Fn::Join concatenated. */
export function render(value: Json): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(render).join(',');
  const o = value as Record<string, Json>;
  if ('Fn::GetAtt' in o) return `<${(o['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Ref' in o) return `<${String(o.Ref)}>`;
  if ('Fn::Join' in o) {
    const [sep, parts] = o['Fn::Join'] as [string, Json[]];
    return parts.map(render).join(sep);
  }
  return JSON.stringify(o);
}

/** Every "action resource" pair the inline policies of a role grant, with logical ids shortened by `names`. */
export function grants(template: Template, roleLogicalId: string, names: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const props = policy.Properties as { Roles: Json[]; PolicyDocument: { Statement: { Action: string | string[]; Resource: Json | Json[]; Effect: string }[] } };
    if (!props.Roles.some((r) => render(r) === `<${roleLogicalId}>`)) continue;
    for (const st of props.PolicyDocument.Statement) {
      const actions = Array.isArray(st.Action) ? st.Action : [st.Action];
      const resources = Array.isArray(st.Resource) ? st.Resource : [st.Resource];
      for (const a of actions) for (const r of resources) out.add(`${a} ${shorten(render(r), names)}`);
    }
  }
  return [...out].sort();
}

function shorten(text: string, names: Record<string, string>): string {
  let t = text;
  for (const [id, name] of Object.entries(names)) t = t.replaceAll(id, name);
  return t;
}

export function logicalId(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.resolve(stack.getLogicalId(construct.node.defaultChild as never)) as string;
}
