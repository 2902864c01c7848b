import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadScore766Indicators, round2, scoreIndicator } from '../../../functions/generator/score766.js';

const REAL = join(import.meta.dirname, '../../../functions/portal/fixtures/dvcqg-766/gia-lai/agencies_detail_2026-10-10.json');

interface RealMetric {
  code: string;
  numerator: number | null;
  denominator: number | null;
  score: number | null;
  maxScore: number;
}

describe('score766 indicator table', () => {
  test('should hold six groups with the published maxima summing to 100', () => {
    const t = loadScore766Indicators();
    const max = (g: string): number => t.filter((r) => r.group_code === g).reduce((s, r) => s + r.max_score, 0);
    expect([max('CKMB'), max('TDGQ'), max('CLGQ'), max('TTTT'), max('MDHL'), max('MDSH')]).toEqual([18, 20, 12, 10, 18, 22]);
    expect(new Set(t.map((r) => r.metric_code)).size).toBe(t.length);
  });

  test('should reproduce every published Gia Lai sub-score it defines to ±0.01', () => {
    const t = loadScore766Indicators();
    const real = JSON.parse(readFileSync(REAL, 'utf8')) as { agenciesDetail: { departmentCode: string; componentIndicators: Record<string, { metrics?: RealMetric[]; totalOnTime?: number; totalReceived?: number; score?: number }> }[] };
    let compared = 0;
    for (const a of real.agenciesDetail) {
      for (const comp of Object.values(a.componentIndicators)) {
        for (const m of comp.metrics ?? []) {
          const ind = t.find((x) => x.metric_code === m.code);
          if (!ind) continue; // PETITION_CLASSIFICATION_* carry 0 points
          const got = scoreIndicator(ind, m.numerator, m.denominator).score;
          expect(Math.abs(got - (m.score ?? 0)), `${a.departmentCode} ${m.code}`).toBeLessThanOrEqual(0.01 + 1e-9);
          compared++;
        }
      }
      const td = a.componentIndicators.TDGQ_TienDoGiaiQuyet;
      const ind = t.find((x) => x.metric_code === 'DOSSIER_ON_TIME')!;
      expect(scoreIndicator(ind, td?.totalOnTime ?? null, td?.totalReceived ?? null).score).toBeCloseTo(td?.score ?? 0, 2);
    }
    expect(compared).toBeGreaterThan(150);
  });

  test('should reject a table whose maxima do not sum to 100, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'score766-'));
    try {
      const text = readFileSync(join(import.meta.dirname, '../../../sql/seeds/score766_indicators.csv'), 'utf8');
      const bad = text.replace('"Tỷ lệ hồ sơ giải quyết trước hạn, đúng hạn",20', '"x",19');
      expect(bad).not.toBe(text);
      const p = join(dir, 'bad.csv');
      writeFileSync(p, bad);
      expect(() => loadScore766Indicators(p)).toThrow(/bad\.csv.*sum to 99/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('score766 rounding', () => {
  test('should round half up at two decimals despite binary noise', () => {
    expect(round2(0.0675)).toBe(0.07);
    expect(round2(1.005)).toBe(1.01);
    expect(round2(19.969)).toBe(19.97);
  });
});
