/**
 * No false trails (issue #17, item 5): every document or test file a comment, string or doc of the
 * repository names by its repository path (docs/…, bench/….md, a README under sql/ or functions/,
 * test/….test.ts, BENCHMARKS.md) exists, and nothing points at notes that live outside the repository.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

const REPO = path.resolve(import.meta.dirname, '../..');
const ROOTS = ['functions', 'sql', 'infra', 'bench', 'test', 'scripts', 'docs', 'dashboards/pages', 'dashboards/components', 'dashboards/scripts', 'dashboards/patches'];
/** This file names missing paths on purpose (its own examples). */
const SELF = 'test/unit/docs-references.test.ts';
const TOP = ['README.md', 'BENCHMARKS.md', 'package.json', '.ci/run'];
const TEXT = /\.(ts|mts|mjs|js|svelte|sql|ya?ml|md|json|patch|sh)$/;
const SKIP_DIRS = new Set(['node_modules', 'build', '.evidence', 'out', 'fixtures']);

function files(dir: string): string[] {
  const abs = path.join(REPO, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return SKIP_DIRS.has(e.name) ? [] : files(rel);
    return e.isFile() && TEXT.test(e.name) ? [rel] : [];
  });
}

/** Repository paths a text names: docs/x.md, bench/x.md, sql/…/README.md, functions/…/README.md, test/….test.ts, BENCHMARKS.md. */
function namedPaths(text: string): string[] {
  const re = /(?<![\w./-])((?:docs|bench|sql|functions)\/[\w./-]*\.md|test\/[\w./-]+\.test\.ts|BENCHMARKS\.md)(?![\w/-])/g;
  return [...new Set([...text.matchAll(re)].map((m) => m[1]!.replace(/\.$/, '')))];
}

/** Pointers at reference notes kept outside the repository. */
const OUTSIDE = /\.\.\/shared\/|\/work\/shared|(?<![\w/])shared\/(domain|style|sql-portability|evidence-offline|aws-notes)\.md/;

describe('documents the repository names', () => {
  const sources = [...ROOTS.flatMap(files), ...TOP.filter((f) => existsSync(path.join(REPO, f)))];

  test('should find what it looks for, and tell a missing path', () => {
    expect(namedPaths('see docs/architecture.md, "Code layout"; test/unit/lake/datasets.test.ts and BENCHMARKS.md.')).toEqual([
      'docs/architecture.md',
      'test/unit/lake/datasets.test.ts',
      'BENCHMARKS.md',
    ]);
    expect(namedPaths('FORMATS.md and ../docs/x.md are not repository paths; sql/marts/README.md is')).toEqual(['sql/marts/README.md']);
    expect(existsSync(path.join(REPO, 'docs/FORMATS.md'))).toBe(false);
    expect(OUTSIDE.test('(from ../shared/domain.md §8)')).toBe(true);
  });

  test('should name only files that exist', () => {
    expect(sources.length).toBeGreaterThan(300);
    const missing = sources.filter((f) => f !== SELF).flatMap((f) => namedPaths(readFileSync(path.join(REPO, f), 'utf8')).filter((p) => !existsSync(path.join(REPO, p))).map((p) => `${f} → ${p}`));
    expect(missing).toEqual([]);
  });

  test('should not point at notes outside the repository', () => {
    const outside = sources.filter((f) => f !== SELF && OUTSIDE.test(readFileSync(path.join(REPO, f), 'utf8')));
    expect(outside).toEqual([]);
  });
});
