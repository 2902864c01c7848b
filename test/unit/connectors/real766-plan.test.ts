/**
 * The real 766 pull plan lives in the configuration (config real766), zod-validated, with today's plan
 * (Gia Lai in the shared real files) as the default.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { DEFAULT_REAL_766_PLAN, loadConfig } from '../../../functions/core/config.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function configFile(body: unknown): Promise<string> {
  dir = await mkdtemp(path.join(os.tmpdir(), 'real766-plan-'));
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify(body));
  return file;
}

describe('config real766', () => {
  test('should default to the plan of the shared real files (Gia Lai, 2026)', () => {
    const plan = loadConfig(undefined, {}).real766;
    expect(plan).toEqual(DEFAULT_REAL_766_PLAN);
    expect(plan).toEqual({
      year: 2026,
      nationalAsOf: '2026-09-17',
      provinces: [{ name: 'Gia Lai', departmentId: '019d2be3-6a85-74ec-a346-6489e82ae4c7', captures: ['2026-09-24', '2026-10-10'], detailCaptures: ['2026-10-10'] }],
    });
  });

  test('should take another plan from the config file', async () => {
    const real766 = { year: 2025, nationalAsOf: '2025-12-31', provinces: [{ name: 'Khác', departmentId: 'abc', captures: ['2025-12-31'], detailCaptures: [] }] };
    expect(loadConfig(await configFile({ real766 }), {}).real766).toEqual(real766);
  });

  test('should refuse a malformed plan, naming the field', async () => {
    const bad = { year: 2026, nationalAsOf: '2026-09-17', provinces: [{ name: 'Gia Lai', departmentId: 'x', captures: ['17/09/2026'], detailCaptures: [] }] };
    await expect(configFile({ real766: bad }).then((f) => loadConfig(f, {}))).rejects.toThrow(/real766\.provinces\.0\.captures\.0/);
  });

  test('should refuse a detail capture that is not one of the captures', async () => {
    const bad = { ...DEFAULT_REAL_766_PLAN, provinces: [{ ...DEFAULT_REAL_766_PLAN.provinces[0]!, detailCaptures: ['2026-11-01'] }] };
    await expect(configFile({ real766: bad }).then((f) => loadConfig(f, {}))).rejects.toThrow(/real766\.provinces\.0\.detailCaptures: every detailCaptures date must be one of captures/);
  });
});
