/**
 * The class of a rejected file (errors.ts, REJECT_REASONS) is recorded by the land, not guessed from the
 * error's English words: every PipelineInputError names its class (the constructor requires it; null only
 * for the errors listed here, which refuse no file), and the classes are the same list in the code, the
 * mart's YAML test and the data-quality page's Vietnamese.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { createError, PipelineInputError, REJECT_REASONS, rejectReasonOf } from '../../functions/core/errors.js';
import { RejectedEntry } from '../../functions/core/lake/raw.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
/**
 * The errors that never refuse a file, and so state no class (`PipelineInputError.refusingNoFile`), and
 * why. Every other PipelineInputError names its class: the constructor requires a class (not null), so
 * TypeScript holds every call to it.
 */
const NOT_REJECTIONS: Record<string, string> = {
  'functions/core/lake/land.ts: no ${what} has been landed':
    'the dossier files wait for their registry: they stay staged (not rejected) and the land fails naming them',
  'functions/core/profiles/inspect.ts: is neither an .xlsx nor a .csv export': '`inspect` reads a file for an operator; it lands nothing',
  'functions/core/profiles/inspect.ts: the profile "${named.name}" reads': '`inspect` reads a file for an operator; it lands nothing',
};

function tsFiles(rel: string): string[] {
  const abs = path.join(ROOT, rel);
  if (statSync(abs).isFile()) return [rel];
  return readdirSync(abs, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tsFiles(path.join(rel, e.name)) : e.name.endsWith('.ts') ? [path.join(rel, e.name)] : []));
}

/** The argument text of each `<marker>…)` in `src` (default `new PipelineInputError(`): parentheses counted outside strings and comments. */
export function constructorCalls(src: string, marker = 'new PipelineInputError('): string[] {
  const out: string[] = [];
  for (let at = src.indexOf(marker); at >= 0; at = src.indexOf(marker, at + 1)) {
    const start = at + marker.length;
    let depth = 1;
    // Stack of what encloses the cursor: a template literal (`) or a ${…} inside one (its brace depth).
    const stack: ('`' | number)[] = [];
    let i = start;
    for (; i < src.length && depth > 0; i++) {
      const ch = src[i]!;
      const top = stack[stack.length - 1];
      if (top === '`') {
        if (ch === '\\') i++;
        else if (ch === '`') stack.pop();
        else if (ch === '$' && src[i + 1] === '{') {
          stack.push(0);
          i++;
        }
        continue;
      }
      if (ch === "'" || ch === '"') {
        for (i++; i < src.length && src[i] !== ch; i++) if (src[i] === '\\') i++;
      } else if (ch === '`') stack.push('`');
      else if (ch === '/' && src[i + 1] === '/') i = src.indexOf('\n', i);
      else if (ch === '{' && typeof top === 'number') stack[stack.length - 1] = top + 1;
      else if (ch === '}' && typeof top === 'number') {
        if (top === 0) stack.pop();
        else stack[stack.length - 1] = top - 1;
      } else if (ch === '(') depth++;
      else if (ch === ')') depth--;
    }
    out.push(src.slice(start, i - 1));
  }
  return out;
}

describe('The class of a rejected file', () => {
  test('should be stated by every PipelineInputError: a class, or none only where the error never refuses a file', () => {
    const sources = tsFiles('functions').map((file) => ({ file, src: readFileSync(path.join(ROOT, file), 'utf8') }));
    const calls = sources.flatMap(({ file, src }) => constructorCalls(src).map((args) => ({ file, args })));
    // The scanner finds the calls (about sixty) and reads each to its end.
    expect(calls.length).toBeGreaterThan(50);
    for (const c of calls) expect(c.args.trimEnd().endsWith(';'), c.args).toBe(false);
    // Each names a class (a literal of the list, or a variable TypeScript holds to it).
    for (const c of calls) expect(c.args, `${c.file}: ${c.args}`).toMatch(/\bcode\b/);
    // Each call, in order: the exemption it falls under (its file, and words of its message), else its text.
    const named = (c: { file: string; args: string }): string =>
      Object.keys(NOT_REJECTIONS).find((k) => {
        const [file, words] = k.split(': ', 2) as [string, string];
        return file === c.file && c.args.includes(words);
      }) ?? `${c.file}: ${c.args.replace(/\s+/g, ' ').slice(0, 120)}`;
    const unclassed = sources.flatMap(({ file, src }) => constructorCalls(src, 'PipelineInputError.refusingNoFile(').map((args) => named({ file, args })));
    expect(unclassed.sort()).toEqual(Object.keys(NOT_REJECTIONS).sort());
  });

  test('should read the calls whole, strings, templates and comments holding parentheses included', () => {
    const src = [
      "throw new PipelineInputError('land', f, 'a ) in a string (and a ( too', { code: 'columns' });",
      'throw new PipelineInputError(s, f, `x ${g(a, `(${b})`)} )`, { row: 1 }); // (',
      "throw new PipelineInputError(s, f, 'it\\'s (', {\n  // a comment )\n  code: 'encoding',\n});",
    ].join('\n');
    expect(constructorCalls(src)).toEqual([
      "'land', f, 'a ) in a string (and a ( too', { code: 'columns' }",
      's, f, `x ${g(a, `(${b})`)} )`, { row: 1 }',
      "s, f, 'it\\'s (', {\n  // a comment )\n  code: 'encoding',\n}",
    ]);
  });

  test('should be found on the error or the first cause that names one', () => {
    const inner = new PipelineInputError('csv', 'a.csv', 'text after a closing quote', { code: 'not_csv' });
    expect(rejectReasonOf(inner)).toBe('not_csv');
    expect(rejectReasonOf(PipelineInputError.refusingNoFile('land', 'a.csv', 'wrapped', { cause: inner }))).toBe('not_csv');
    expect(rejectReasonOf(new PipelineInputError('land', 'a.csv', 'wrapped', { cause: inner, code: 'columns' }))).toBe('columns');
    expect(rejectReasonOf(createError('land', 'Failed', { cause: inner }))).toBe('not_csv');
    const none = PipelineInputError.refusingNoFile('land', 'a.csv', 'no class', { row: 2 });
    expect(rejectReasonOf(none)).toBeUndefined();
    expect(none).toMatchObject({ code: null, file: 'a.csv', row: 2, message: '[pipeline] [land] Failed to read a.csv (row 2): no class' });
    expect(rejectReasonOf('not an error')).toBeUndefined();
  });

  test('should read a record without a class, or with one no longer listed, as unclassed (an old record never stops a land)', () => {
    const base = { kind: 'portal-csv', sha256: 'a'.repeat(64), original_name: 'x.csv', period: null, bytes: 1, pulled_at: '2026-01-01T00:00:00Z', error: 'e', rejected_at: '2026-01-01T00:00:00Z' };
    expect(RejectedEntry.parse(base).reason).toBeNull();
    expect(RejectedEntry.parse({ ...base, reason: 'columns' }).reason).toBe('columns');
    expect(RejectedEntry.parse({ ...base, reason: 'a_class_since_renamed' }).reason).toBeNull();
  });

  test('should be one list in the code, the mart and its test, and the data-quality page', () => {
    const yml = parse(readFileSync(path.join(ROOT, 'sql/marts/_data_quality__models.yml'), 'utf8')) as { models: { name: string; columns: { name: string; data_tests?: unknown[] }[] }[] };
    const reason = yml.models.find((m) => m.name === 'rejected_files')!.columns.find((c) => c.name === 'reason')!;
    const accepted = (reason.data_tests!.find((t) => typeof t === 'object' && t !== null && 'accepted_values' in t) as { accepted_values: { values: string[] } }).accepted_values.values;
    expect(accepted).toEqual([...REJECT_REASONS]);
    // The wording of older records gives classes of the list only.
    const mart = readFileSync(path.join(ROOT, 'sql/marts/rejected_files.sql'), 'utf8');
    const caseOfReason = /when recorded_reason is not null then recorded_reason([\s\S]*?)end as reason/.exec(mart)![1]!;
    const worded = [...caseOfReason.matchAll(/'([a-z_0-9]+)'/g)].map((m) => m[1]!);
    expect(worded.length).toBeGreaterThan(10);
    for (const w of worded) expect(REJECT_REASONS, w).toContain(w);
    // Each class but `unreadable` (the page's default words) has its Vietnamese on the page.
    const page = readFileSync(path.join(ROOT, 'dashboards/pages/chat-luong-du-lieu.md'), 'utf8');
    const block = /```sql dq_rejected_reasons\n([\s\S]*?)```/.exec(page)![1]!;
    const named = [...block.matchAll(/\('([a-z_0-9]+)', '[^']+'\)/g)].map((m) => m[1]!);
    expect(named.sort()).toEqual(REJECT_REASONS.filter((r) => r !== 'unreadable').sort());
  });
});
