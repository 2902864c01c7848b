import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { z } from 'zod';
import * as schemas from '../../functions/core/schemas/index.js';
import { AGENCY_HEADER, NSW_DOSSIER_HEADER, PORTAL_DOSSIER_HEADER, PROCEDURE_HEADER, SCORE766_INDICATOR_HEADER } from '../../functions/generator/csv.js';
import { loadScore766Indicators } from '../../functions/generator/score766.js';

const doc = readFileSync(join(import.meta.dirname, '../../docs/data-contracts.md'), 'utf8');
const mentioned = (name: string): boolean => doc.includes(`\`${name}\``);

/** The section of the doc that starts with `heading` and ends at the next heading of the same or higher level. */
function section(heading: string): string {
  const start = doc.indexOf(heading);
  if (start < 0) throw new Error(`no section "${heading}" in docs/data-contracts.md`);
  const level = /^#+/.exec(heading)?.[0].length ?? 2;
  const rest = doc.slice(start + heading.length);
  const next = rest.search(new RegExp(`\\n#{1,${level}} `));
  return next < 0 ? rest : rest.slice(0, next);
}

/** Columns listed in a numbered table (`| 1 | \`Mã hồ sơ\` | …`), in order. */
function numberedColumns(text: string): string[] {
  return [...text.matchAll(/^\| (\d+) \| `([^`]+)` \|/gm)].map((m) => m[2] ?? '');
}

const objectSchemas: [string, z.ZodObject][] = Object.entries(schemas as Record<string, unknown>).flatMap(([name, value]) => (value instanceof z.ZodObject ? [[name, value] as [string, z.ZodObject]] : []));

describe('data-contracts.md against the canonical schemas', () => {
  test('should find the record schemas to check', () => {
    expect(objectSchemas.map(([n]) => n)).toEqual(expect.arrayContaining(['Dossier', 'Agency', 'Procedure', 'Bieu06Row', 'Score766', 'Score766Metric', 'ParField', 'ParTotal', 'QuarantineRecord']));
  });

  test.each(objectSchemas)('should document every field of %s', (_name, schema) => {
    const missing = Object.keys(schema.shape).filter((k) => !mentioned(k));
    expect(missing).toEqual([]);
  });

  test('should document every enum value', () => {
    const values = [...schemas.DossierStatus.options, ...schemas.AgencyKind.options, ...schemas.OnlineLevel.options, ...schemas.Score766Group.options, ...schemas.PeriodType.options, ...schemas.DossierSource.options];
    expect(values.filter((v) => !mentioned(v))).toEqual([]);
  });
});

describe('data-contracts.md against the generator', () => {
  test('should list every CSV header column the generator writes', () => {
    const all = [...PORTAL_DOSSIER_HEADER, ...NSW_DOSSIER_HEADER, ...AGENCY_HEADER, ...PROCEDURE_HEADER, ...SCORE766_INDICATOR_HEADER];
    expect(all.filter((h) => !mentioned(h))).toEqual([]);
  });

  test('should list the portal and NSW columns in the order the files have them', () => {
    expect(numberedColumns(section('### 2.3 Portal dossier CSV'))).toEqual([...PORTAL_DOSSIER_HEADER]);
    expect(numberedColumns(section('### 2.5 NSW export'))).toEqual([...NSW_DOSSIER_HEADER]);
  });

  test('should document every 766 sub-indicator of the scoring table', () => {
    const table = section('### 4.3 766 scoring');
    const codes = loadScore766Indicators().map((r) => r.metric_code);
    expect(codes.filter((c) => !table.includes(`\`${c}\``))).toEqual([]);
  });
});
