/**
 * DuckDb.connect: another connection to the same in-memory database, for statements run at once
 * (the land writes a batch's partitions on two: functions/core/lake/partitions.ts); DuckDb.open's spill directory.
 */
import { describe, expect, test } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDb } from '../../../functions/core/engine/duckdb.js';

describe('DuckDb.connect', () => {
  test("should see the database's tables (not the first connection's TEMP ones), run at the same time, with the same time zone", async () => {
    const db = await DuckDb.open();
    try {
      await db.run('CREATE TABLE shared AS SELECT range AS n FROM range(1000000)');
      await db.run('CREATE TEMP TABLE mine AS SELECT 1 AS n');
      const [a, b] = [await db.connect(), await db.connect()];
      expect(await a.scalarNumber('SELECT count(*) FROM shared')).toBe(1_000_000);
      await expect(a.all('SELECT * FROM mine')).rejects.toThrow(/mine/);
      // Two statements at once, one on each connection.
      const sums = await Promise.all([a.scalarNumber('SELECT sum(n) FROM shared WHERE n % 2 = 0'), b.scalarNumber('SELECT sum(n) FROM shared WHERE n % 2 = 1')]);
      expect(sums[0] + sums[1]).toBe((999_999 * 1_000_000) / 2);
      expect(await a.all("SELECT current_setting('TimeZone') AS tz")).toEqual([{ tz: 'Asia/Ho_Chi_Minh' }]);
      a.close();
      b.close();
      // Closing them leaves the first connection working.
      expect(await db.scalarNumber('SELECT count(*) FROM mine')).toBe(1);
    } finally {
      db.close();
    }
  });
});

describe('DuckDb.onConnections', () => {
  test('should run every lane, this connection first, wait for all of them, throw the first failure in lane order and close the others', async () => {
    const db = await DuckDb.open();
    try {
      await db.run('CREATE TABLE done (lane INTEGER)');
      await db.run('CREATE TEMP TABLE mine AS SELECT 1 AS n');
      const seen: string[] = [];
      const lanes: DuckDb[] = [];
      const err = await db
        .onConnections(3, async (conn, k) => {
          lanes.push(conn);
          // Lane 0 is this connection (it sees its TEMP table); the others are new ones.
          seen.push(`${k}:${await conn.scalarNumber('SELECT count(*) FROM mine').then(() => 'own', () => 'other')}`);
          if (k === 2) throw new Error('lane 2 failed first');
          await new Promise((r) => setTimeout(r, 50));
          await conn.run(`INSERT INTO done VALUES (${k})`);
          if (k === 1) throw new Error('lane 1 failed later');
        })
        .catch((e: unknown) => e);
      // The failure of the lowest lane, raised once every lane had ended (lane 0's insert is in).
      expect((err as Error).message).toBe('lane 1 failed later');
      expect(seen.sort()).toEqual(['0:own', '1:other', '2:other']);
      expect((await db.all('SELECT lane FROM done ORDER BY lane')).map((r) => Number(r.lane))).toEqual([0, 1]);
      // The new connections are closed; this one still works.
      await expect(lanes.find((c) => c !== db)!.all('SELECT 1')).rejects.toThrow();
      expect(await db.scalarNumber('SELECT count(*) FROM mine')).toBe(1);
    } finally {
      db.close();
    }
  });
});

describe('DuckDb.dropRelation', () => {
  test('should drop a table, a view or a TEMP one by name alike, and do nothing when there is none', async () => {
    const db = await DuckDb.open();
    try {
      await db.run('CREATE TABLE t AS SELECT 1 AS n; CREATE VIEW v AS SELECT 1 AS n; CREATE TEMP TABLE tt AS SELECT 1 AS n; CREATE TEMP VIEW tv AS SELECT 1 AS n');
      const names = async (): Promise<string[]> => (await db.all('SELECT table_name FROM information_schema.tables ORDER BY 1')).map((r) => String(r.table_name));
      expect(await names()).toEqual(['t', 'tt', 'tv', 'v']);
      for (const name of ['t', 'v', 'tt', 'tv', 'absent']) await db.dropRelation(name);
      expect(await names()).toEqual([]);
      // The name is free for either kind again.
      await db.run('CREATE VIEW t AS SELECT 2 AS n; CREATE TABLE v AS SELECT 2 AS n');
      expect(await names()).toEqual(['t', 'v']);
    } finally {
      db.close();
    }
  });
});

describe('DuckDb.open', () => {
  test('should spill into a scratch directory whose parents do not exist yet', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'duckdb-spill-'));
    const spill = path.join(root, 'work-0', 'duckdb-tmp');
    const db = await DuckDb.open({ memoryLimit: '64MB', threads: 1, tempDirectory: spill });
    try {
      // A sort larger than the memory limit: DuckDB writes to the spill directory.
      await db.run('SET preserve_insertion_order = false');
      const n = await db.scalarNumber('SELECT count(*) FROM (SELECT range AS k, md5(range::VARCHAR) AS v FROM range(3000000) ORDER BY v)');
      expect(n).toBe(3_000_000);
      expect(existsSync(spill)).toBe(true);
    } finally {
      db.close();
      await rm(root, { recursive: true, force: true });
    }
  });
});
