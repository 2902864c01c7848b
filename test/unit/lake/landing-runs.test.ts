/**
 * The order the land takes staged files in (land.ts, landingRuns): the kinds in their order, except the
 * dossier kinds, which land source by source and within a source in arrival order, a run per kind change.
 */
import { describe, expect, test } from 'vitest';
import { landingRuns } from '../../../functions/core/lake/land.js';
import type { RawMeta } from '../../../functions/core/lake/raw.js';
import type { RawKind } from '../../../functions/core/lake/sources.js';

const meta = (kind: RawKind, name: string, source?: string): RawMeta & { source?: string } =>
  ({ kind, sha256: name.padEnd(64, '0'), original_name: name, pulled_at: '2026-01-01T00:00:00.000Z', period: null, bytes: 1, source }) as unknown as RawMeta & { source?: string };
const SOURCE: Record<string, string> = { 'portal-api': 'portal', 'portal-csv': 'portal', 'nsw-csv': 'nsw', 'dossier-export': 'portal' };
const sourceOf = (m: RawMeta): string => (m as RawMeta & { source?: string }).source ?? SOURCE[m.kind] ?? 'other';
const KINDS: RawKind[] = ['registry-agencies', 'registry-procedures', 'portal-api', 'portal-csv', 'nsw-csv', 'dossier-export', 'bieu06-xlsx'];

describe('landingRuns given staged files in arrival order', () => {
  test('should land the dossier files of a source in arrival order across kinds, each source apart, the other kinds in kind order', () => {
    const staged = [
      meta('portal-csv', 'may.csv'),
      meta('nsw-csv', 'nsw-may.csv'),
      meta('bieu06-xlsx', 'b.xlsx'),
      meta('portal-api', 'page-1'),
      meta('dossier-export', 'so-theo-doi-nsw.xlsx', 'nsw'),
      meta('portal-csv', 'june.csv'),
      meta('registry-agencies', 'agencies.csv'),
      meta('nsw-csv', 'nsw-june.csv'),
      meta('portal-csv', 'july.csv'),
    ];
    const runs = landingRuns(KINDS, staged, sourceOf).map((r) => `${r.kind}: ${r.files.map((f) => f.original_name).join(', ')}`);
    expect(runs).toEqual([
      'registry-agencies: agencies.csv',
      'registry-procedures: ',
      'portal-csv: may.csv',
      'portal-api: page-1',
      'portal-csv: june.csv, july.csv',
      'nsw-csv: nsw-may.csv',
      'dossier-export: so-theo-doi-nsw.xlsx',
      'nsw-csv: nsw-june.csv',
      'bieu06-xlsx: b.xlsx',
    ]);
  });

  test('should keep one run per kind when a source holds one kind, and land only the kinds asked for', () => {
    const staged = [meta('portal-csv', 'a.csv'), meta('nsw-csv', 'n1.csv'), meta('portal-csv', 'b.csv'), meta('nsw-csv', 'n2.csv'), meta('portal-api', 'page-1')];
    expect(landingRuns(['portal-csv', 'nsw-csv'], staged, sourceOf).map((r) => `${r.kind}: ${r.files.map((f) => f.original_name).join(', ')}`)).toEqual([
      'portal-csv: a.csv, b.csv',
      'nsw-csv: n1.csv, n2.csv',
    ]);
  });
});
