/**
 * A lake written by a version before 2026-12-07 kept some rejected rows in quarantine partitions Athena's
 * projection never reads (year=0/month=0, month=0). The land moves them where today's land puts them
 * (functions/core/lake/upgrade.ts): the same files, byte for byte, as a lake landed today holds.
 */
import { describe, expect, test } from 'vitest';
import { literal, withDuckDb } from '../../../functions/core/engine/duckdb.js';
import { checkInvariants } from '../../../functions/core/lake/invariants.js';
import { landStaged } from '../../../functions/core/lake/land.js';
import { localContext } from '../../../functions/core/local-context.js';
import { land as landThroughPipeline } from '../../../functions/core/pipeline.js';
import { stageRaw } from '../../../functions/core/lake/raw.js';
import { AGENCIES_CSV } from '../../fixtures/bad/make.js';
import { fixture, lakeFactory, landRegistry, MAX_TS, type TestLake } from '../../reliability/lakes.js';

const newLake = lakeFactory('upgrade');

/** Every quarantine file of the lake: key → bytes. */
async function quarantineFiles(lake: TestLake): Promise<Map<string, Buffer>> {
  const keys = await lake.storage.listKeys('quarantine/');
  return new Map(await Promise.all(keys.map(async (k) => [k, await lake.storage.get(k)] as const)));
}

/** Move a file to another key, as the earlier version would have written it there. */
async function moveKey(lake: TestLake, from: string, to: string, keep = false): Promise<void> {
  await lake.storage.put(to, await lake.storage.get(from));
  if (!keep) await lake.storage.delete(from);
}

const land = (lake: TestLake) => landStaged({ storage: lake.storage, workDir: lake.work, maxTimestamp: MAX_TS });

/**
 * A lake landed today with rejected rows of a registry file (under the landing month) and of a quarterly
 * Biểu 06 pulled for its year (under the quarter's last month, June 2024), and its quarantine files.
 */
async function landedToday(): Promise<{ lake: TestLake; today: Map<string, Buffer> }> {
  const lake = newLake();
  await landRegistry(lake);
  const bad = `${AGENCIES_CSV}\r\nH99.09,Sở Xây dựng,Sở XD,so,H99,H99,không phải ngày,,\r\n`;
  await stageRaw(lake.storage, { kind: 'registry-agencies', bytes: Buffer.from(`\ufeff${bad}`), period: null, originalName: 'agencies-2.csv' });
  await stageRaw(lake.storage, { kind: 'bieu06-xlsx', bytes: fixture('bieu06-totals-disagree.xlsx'), period: '2024', originalName: 'bieu06-q2.xlsx' });
  await land(lake);
  const today = await quarantineFiles(lake);
  return { lake, today };
}

describe('a lake with quarantine partitions an earlier version wrote outside the projection', () => {
  test('should move them, on the next land, to the files a land writes today, byte for byte, and verify', async () => {
    const { lake, today } = await landedToday();
    const keys = [...today.keys()];
    const registry = keys.find((k) => k.startsWith('quarantine/dataset=agencies/'))!;
    const bieu06 = keys.filter((k) => k.startsWith('quarantine/dataset=bieu06'));
    expect(registry).toMatch(/year=\d{4}\/month=\d{1,2}\//);
    expect(bieu06).toEqual([
      'quarantine/dataset=bieu06/source=report/year=2024/month=6/data.parquet',
      'quarantine/dataset=bieu06_checks/source=report/year=2024/month=6/data.parquet',
    ]);
    // Where the earlier version put them: the registry's under year=0/month=0, the Biểu 06's under its year's month=0.
    await moveKey(lake, registry, registry.replace(/year=\d+\/month=\d+/, 'year=0/month=0'));
    for (const k of bieu06) await moveKey(lake, k, k.replace('month=6', 'month=0'));
    const old = await checkInvariants(lake.storage, lake.work);
    expect(old.ok).toBe(false);
    expect(old.partitionErrors.join('\n')).toMatch(/year=0\/month=0\/data\.parquet: a partition Athena's projection does not read/);

    const summary = await land(lake);
    expect(summary.files).toEqual([]);
    expect([...summary.partitionsWritten].sort()).toEqual([...keys].sort());
    expect(await quarantineFiles(lake)).toEqual(today);
    expect((await checkInvariants(lake.storage, lake.work)).ok).toBe(true);
    // Nothing left to move: the next land writes nothing.
    expect((await land(lake)).partitionsWritten).toEqual([]);
    expect(await quarantineFiles(lake)).toEqual(today);
  });

  test('should leave a partition whose raw file has no manifest entry, name it, land the rest, and move it once the entry is back', async () => {
    const { lake, today } = await landedToday();
    const keys = [...today.keys()];
    const registry = keys.find((k) => k.startsWith('quarantine/dataset=agencies/'))!;
    const old = registry.replace(/year=\d+\/month=\d+/, 'year=0/month=0');
    await moveKey(lake, registry, old);
    const bieu06 = keys.find((k) => k.startsWith('quarantine/dataset=bieu06/'))!;
    await moveKey(lake, bieu06, bieu06.replace('month=6', 'month=0'));
    // The registry file's manifest entry gone (a land cut short before its commit): the month it was
    // landed in is unknown, and the file is staged again.
    const manifests = await lake.storage.listKeys('manifest/raw/registry-agencies/');
    const bodies = await Promise.all(manifests.map((k) => lake.storage.get(k)));
    const entry = manifests[bodies.findIndex((b) => JSON.parse(b.toString()).original_name === 'agencies-2.csv')]!;
    await lake.storage.delete(entry);
    // Through the land the CLI, the Lambda and `run` call: its log names the partition left.
    const logged: string[] = [];
    const ctx = { ...localContext({ lakeDir: lake.root, workDir: lake.work }), log: (m: string) => void logged.push(m) };
    const summary = await landThroughPipeline(ctx, { maxTimestamp: MAX_TS });
    expect(summary.partitionsWritten).toContain(bieu06);
    expect(logged.join('\n')).toMatch(/left quarantine\/dataset=agencies\/source=registry\/year=0\/month=0\/data\.parquet where an earlier version wrote it .*no manifest entry for its raw file registry-agencies\//);
    expect(await lake.storage.exists(old)).toBe(true);
    // Its land wrote the entry again: the next land moves the old partition, and nothing doubles.
    expect(await lake.storage.exists(entry)).toBe(true);
    await land(lake);
    expect(await quarantineFiles(lake)).toEqual(today);
  });

  test('should merge rows already moved once (a move cut short before the old file went): none doubles', async () => {
    const { lake, today } = await landedToday();
    const registry = [...today.keys()].find((k) => k.startsWith('quarantine/dataset=agencies/'))!;
    await moveKey(lake, registry, registry.replace(/year=\d+\/month=\d+/, 'year=0/month=0'), true);
    await land(lake);
    expect(await quarantineFiles(lake)).toEqual(today);
    const rows = await withDuckDb((db) => db.scalarNumber(`SELECT count(*) FROM read_parquet(${literal(lake.storage.locate(registry))})`));
    expect(rows).toBe(1);
  });
});
