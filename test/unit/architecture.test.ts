/**
 * The core is the pipeline (docs/architecture.md, "Code layout"): nothing under functions/core
 * imports Evidence, the dashboards build (functions/dashboards/), the demo generator
 * (functions/generator/) or the edge (cli, handlers, portal). Every import of every file is read
 * with TypeScript's own pre-processor (static imports, `export … from`, `import()`, `require()`),
 * and no string literal of the core reaches for Evidence's files (its CLI run as a child process).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '..', '..');
const CORE = path.join(REPO, 'functions', 'core');

/** Packages the core must never load: the dashboards' tool chain. */
const FORBIDDEN_PACKAGES = [/^@evidence-dev\//, /^evidence$/, /^@sveltejs\//, /^svelte$/, /^vite$/];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|mts|cts|js|mjs)$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** Every module specifier a source file imports (static, re-export, dynamic, require). */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** Why `specifier`, imported by `file`, breaks the rule; undefined when it does not. */
function violation(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) {
    const target = path.resolve(path.dirname(file), specifier);
    if (target !== CORE && !target.startsWith(CORE + path.sep)) return `leaves functions/core for ${path.relative(REPO, target)}`;
    return undefined;
  }
  if (FORBIDDEN_PACKAGES.some((re) => re.test(specifier))) return `loads the dashboards' package ${specifier}`;
  return undefined;
}

/** String literals that reach for Evidence without importing it (its CLI run as a child process, its config). */
function evidencePaths(source: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node) || ts.isTemplateHead(node))
      && /@evidence-dev|^evidence$|evidence\.config/.test(node.text)) found.push(node.text);
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('x.ts', source, ts.ScriptTarget.Latest, true));
  return found;
}

function violations(file: string, source: string): string[] {
  const rel = path.relative(REPO, file);
  return [
    ...importsOf(source).flatMap((s) => {
      const why = violation(file, s);
      return why ? [`${rel}: import '${s}' ${why}`] : [];
    }),
    ...evidencePaths(source).map((s) => `${rel}: '${s}' reaches for Evidence`),
  ];
}

describe('functions/core imports', () => {
  const files = sourceFiles(CORE);

  test('should import only the core itself, Node and the pipeline\'s packages — never Evidence, functions/dashboards, functions/generator or the edge', () => {
    // Not vacuous: the walk sees the whole core and its imports.
    expect(files.length).toBeGreaterThan(40);
    expect(files.map((f) => path.relative(CORE, f))).toContain('pipeline.ts');
    const all = files.flatMap((f) => importsOf(readFileSync(f, 'utf8')));
    expect(all).toContain('@duckdb/node-api');
    expect(all.filter((s) => s.startsWith('.')).length).toBeGreaterThan(100);
    expect(files.flatMap((f) => violations(f, readFileSync(f, 'utf8')))).toEqual([]);
  });

  test('should name every kind of forbidden import when a core file has one', () => {
    const file = path.join(CORE, 'lake', 'example.ts');
    const source = [
      "import { buildDashboards } from '../../dashboards/build.js';",
      "export { generateDemo } from '../../generator/index.js';",
      "const cli = await import('@evidence-dev/evidence');",
      "const { runDemo } = require('../../cli/demo.js');",
      "import { land } from './land.js';",
      "import { z } from 'zod';",
      "const bin = path.join(dir, 'node_modules', '@evidence-dev', 'evidence', 'cli.js');",
      "// a comment naming @evidence-dev is no violation",
    ].join('\n');
    expect(violations(file, source)).toEqual([
      "functions/core/lake/example.ts: import '../../dashboards/build.js' leaves functions/core for functions/dashboards/build.js",
      "functions/core/lake/example.ts: import '../../generator/index.js' leaves functions/core for functions/generator/index.js",
      "functions/core/lake/example.ts: import '@evidence-dev/evidence' loads the dashboards' package @evidence-dev/evidence",
      "functions/core/lake/example.ts: import '../../cli/demo.js' leaves functions/core for functions/cli/demo.js",
      "functions/core/lake/example.ts: '@evidence-dev/evidence' reaches for Evidence",
      "functions/core/lake/example.ts: '@evidence-dev' reaches for Evidence",
      "functions/core/lake/example.ts: 'evidence' reaches for Evidence",
    ]);
  });
});
