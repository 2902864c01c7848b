/**
 * The types a model's YAML declares (data_type) are the types of its Parquet file: what the dashboards,
 * the exports and Athena's tables (whose CTAS gives Trino's types) read. A DuckDB built-in whose type
 * differs from Trino's (count_if: a HUGEINT sum, written as DOUBLE) would show up here.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runFixture, type FixtureRun } from './helpers.js';

describe('declared column types', () => {
  let run: FixtureRun;
  beforeAll(async () => {
    run = await runFixture({ writeParquet: true });
  }, 180_000);
  afterAll(async () => {
    await run?.dispose();
  });

  test('should write every declared column in its declared type', async () => {
    const mismatches: string[] = [];
    let checked = 0;
    for (const m of run.models) {
      const declared = (m.columns ?? []).filter((c) => c.data_type);
      if (declared.length === 0) continue;
      const file = path.join(run.lake, 'models', m.layer, `${m.name}.parquet`);
      expect(existsSync(file), `${m.name}: ${file}`).toBe(true);
      const described = await run.rows(`DESCRIBE SELECT * FROM read_parquet('${file}')`);
      const types = new Map(described.map((r) => [String(r.column_name), String(r.column_type)]));
      for (const c of declared) {
        checked += 1;
        const actual = types.get(c.name);
        if (actual !== c.data_type) mismatches.push(`${m.name}.${c.name}: declared ${c.data_type}, written ${actual ?? '(missing)'}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(400);
  });
});
