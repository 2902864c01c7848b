import { existsSync } from 'node:fs';
import path from 'node:path';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { describe, expect, test } from 'vitest';
import { publishBuildSpec } from '../../../infra/lib/dashboards/index.js';
import { synthStack } from './helpers.js';

const { app, stack, template } = synthStack();

describe('SiteHosting publish build given the Athena lake', () => {
  test('should export the marts from their Athena runs before building the site, aborting on any failure', () => {
    const spec = publishBuildSpec() as { phases: Record<string, { commands: string[]; 'on-failure'?: string }> };
    expect(spec.phases.pre_build!.commands).toEqual([
      'npx tsx functions/cli/main.ts export-marts --lake "s3://$LAKE_BUCKET" --out "$CODEBUILD_SRC_DIR/.lake"',
      'aws s3 sync "s3://$LAKE_BUCKET/reports/" "$CODEBUILD_SRC_DIR/.lake/reports/" --only-show-errors',
    ]);
    // The one way in, shared with npm start: the CLI command, not an inline import of a module.
    expect(spec.phases.build!.commands).toEqual(['npx tsx functions/cli/main.ts build-dashboards --lake "$CODEBUILD_SRC_DIR/.lake" --out site']);
    expect(spec.phases.post_build!.commands[0]).toBe('aws s3 sync site/ "s3://$SITE_BUCKET/" --delete --only-show-errors');
    // post_build runs after a failed build unless the earlier phases abort it: never sync a broken site.
    for (const phase of ['install', 'pre_build', 'build']) expect(spec.phases[phase]!['on-failure']).toBe('ABORT');
    const project = Object.values(template.findResources('AWS::CodeBuild::Project'))[0]!;
    expect(JSON.parse(project.Properties.Source.BuildSpec as string)).toEqual(spec);
  });

  test('should ship the core, sql/ and dashboards/ as the build source, without data, tests or dependencies', () => {
    const asset = stack.site.node.findChild('Source') as s3assets.Asset;
    const dir = path.join(app.outdir, asset.assetPath);
    for (const p of ['package-lock.json', 'functions/cli/main.ts', 'functions/cli/build-dashboards.ts', 'functions/dashboards/build.ts', 'functions/core/export-marts.ts', 'functions/core/lake/land.ts', 'sql/marts', 'sql/staging/lake', 'dashboards/package-lock.json', 'dashboards/pages']) {
      expect(existsSync(path.join(dir, p)), p).toBe(true);
    }
    for (const p of ['node_modules', 'dashboards/node_modules', 'data', 'test', 'cdk.out', '.git']) expect(existsSync(path.join(dir, p)), p).toBe(false);
  });
});
