import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pipelineBundling, REPO_ROOT } from '../../../infra/lib/ingestion/index.js';

// The real bundling (local esbuild, no Docker), once: the other infra tests use stub code.
describe('pipelineBundling given the land handler', () => {
  let outdir = '';
  let bundleDir = '';

  beforeAll(() => {
    outdir = mkdtempSync(path.join(os.tmpdir(), 'cdk-bundle-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bundle');
    new nodejs.NodejsFunction(stack, 'Land', {
      entry: path.join(REPO_ROOT, 'functions/handlers/land.ts'),
      runtime: lambda.Runtime.NODEJS_22_X,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      bundling: pipelineBundling(),
    });
    app.synth();
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    bundleDir = path.join(outdir, assets[0]!);
  }, 180_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('should emit one ESM bundle with @duckdb/node-api left external', () => {
    const code = readFileSync(path.join(bundleDir, 'index.mjs'), 'utf8');
    expect(code).toMatch(/from\s*"@duckdb\/node-api"/);
    expect(code).toContain('createRequire');
    // Module-relative paths are wrong inside the bundle: sql/ is found through PIPELINE_SQL_DIR (/var/task/sql).
    expect(code).toContain('PIPELINE_SQL_DIR');
  });

  test('should copy the DuckDB native packages, sql/ and the vendor mapping profiles beside the bundle', () => {
    expect(existsSync(path.join(bundleDir, 'node_modules/@duckdb/node-api/package.json'))).toBe(true);
    const binding = readdirSync(path.join(bundleDir, 'node_modules/@duckdb/node-bindings-linux-x64'));
    expect(binding.some((f) => f.endsWith('.node'))).toBe(true);
    expect(existsSync(path.join(bundleDir, 'node_modules/detect-libc/package.json'))).toBe(true);
    expect(existsSync(path.join(bundleDir, 'sql'))).toBe(true);
    expect(readdirSync(path.join(bundleDir, 'profiles')).filter((f) => f.endsWith('.json')).sort()).toEqual(
      readdirSync(path.resolve('profiles')).filter((f) => f.endsWith('.json')).sort(),
    );
  });

  test('should load as a module exporting the handler (native addon resolved from the bundle)', async () => {
    const mod = (await import(pathToFileURL(path.join(bundleDir, 'index.mjs')).href)) as { handler?: unknown };
    expect(typeof mod.handler).toBe('function');
  });
});

// The report function's bundle: the fonts beside it, and pdfkit/fontkit working inside an esbuild
// bundle (a fixture entry renders a one-page report through the bundled renderPdf).
describe('pipelineBundling given the report fonts', () => {
  let outdir = '';
  const bundles: Record<string, string> = {};

  beforeAll(() => {
    outdir = mkdtempSync(path.join(os.tmpdir(), 'cdk-bundle-report-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'BundleReport');
    for (const [id, entry] of [['Report', 'functions/handlers/report.ts'], ['Pdf', 'test/fixtures/report/render-pdf-entry.ts']]) {
      new nodejs.NodejsFunction(stack, id!, {
        entry: path.join(REPO_ROOT, entry!),
        runtime: lambda.Runtime.NODEJS_22_X,
        projectRoot: REPO_ROOT,
        depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
        bundling: pipelineBundling({ fonts: true }),
      });
    }
    app.synth();
    const assets = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    expect(assets).toHaveLength(2);
    for (const a of assets) {
      const code = readFileSync(path.join(outdir, a, 'index.mjs'), 'utf8');
      bundles[code.includes('fixture: render one report page') ? 'pdfDir' : 'reportDir'] = path.join(outdir, a);
    }
  }, 240_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('should copy the four DejaVu Serif TTF files and their licence to fonts/', () => {
    expect(readdirSync(path.join(bundles.reportDir!, 'fonts')).sort()).toEqual(['DejaVuSerif-Bold.ttf', 'DejaVuSerif-BoldItalic.ttf', 'DejaVuSerif-Italic.ttf', 'DejaVuSerif.ttf', 'LICENSE']);
  });

  test('should render a PDF with the packaged fonts from inside the bundle', async () => {
    process.env.REPORT_FONTS_DIR = path.join(bundles.pdfDir!, 'fonts');
    try {
      const mod = (await import(pathToFileURL(path.join(bundles.pdfDir!, 'index.mjs')).href)) as { handler: () => Promise<Buffer> };
      const pdf = await mod.handler();
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.toString('latin1')).toMatch(/\/BaseFont \/[A-Z]{6}\+DejaVuSerif/);
    } finally {
      delete process.env.REPORT_FONTS_DIR;
    }
  });

  test('should load the report handler as a module', async () => {
    const mod = (await import(pathToFileURL(path.join(bundles.reportDir!, 'index.mjs')).href)) as { handler?: unknown };
    expect(typeof mod.handler).toBe('function');
  });
});
