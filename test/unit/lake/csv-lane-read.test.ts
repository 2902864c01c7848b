/**
 * The land's fast CSV read (land.ts, readLaneAtOnce): one scan over a lane's files is kept only when it
 * rejected nothing and returned every file's records as counted apart; otherwise the land reads the
 * lane again one file per scan. Each check is tested on its own, with the other one satisfied.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { withDuckDb } from '../../../functions/core/engine/duckdb.js';
import { countCsvRecords, type CsvRecordCount } from '../../../functions/core/lake/csv-records.js';
import { csvReadSql, readLaneAtOnce } from '../../../functions/core/lake/land.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'csv-lane-read-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const COLUMNS = `{'a': 'VARCHAR', 'b': 'VARCHAR', 'c': 'VARCHAR'}`;
const read = (paths: string[], lane: number): string => csvReadSql(paths, lane, ',', COLUMNS);

async function csv(name: string, lines: string[]): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, `a,b,c\n${lines.join('\n')}\n`);
  return p;
}

const counts = (paths: string[]): Promise<CsvRecordCount[]> => Promise.all(paths.map((p) => countCsvRecords(p, ',')));

describe('The fast read of a lane of CSV files', () => {
  test('should keep one scan that returned every record of every file, numbered with its file in the chunk, in file and line order', async () => {
    const files = [await csv('one.csv', ['1-a,x,1', '1-b,y,2']), await csv('two.csv', ['2-a,x,1']), await csv('three.csv', ['3-a,x,1', '3-b,x,2', '3-c,x,3'])];
    await withDuckDb(async (db) => {
      // The lane's files are the chunk's files 5, 6 and 7 (the counts are the chunk's, by file number).
      const chunk = [...Array.from({ length: 5 }, () => ({ records: 0 })), ...(await counts(files))];
      expect(await readLaneAtOnce(db, 1, 5, files, read, Promise.resolve(chunk))).toBe(true);
      const rows = await db.all('SELECT _file_no, a FROM chunk_input_1 ORDER BY rowid');
      expect(rows.map((r) => `${r._file_no}:${r.a}`)).toEqual(['5:1-a', '5:1-b', '6:2-a', '7:3-a', '7:3-b', '7:3-c']);
    });
  });

  test('should give up the scan when a file came back shorter than its count, even with nothing rejected', async () => {
    const files = [await csv('short-1.csv', ['1-a,x,1']), await csv('short-2.csv', ['2-a,x,1', '2-b,x,2'])];
    await withDuckDb(async (db) => {
      const counted = await counts(files);
      // As DuckDB 1.5.6 does in a multi-file scan: the second file one record short, and no reject.
      const short = counted.map((c, i) => (i === 1 ? { records: c.records + 1 } : c));
      expect(await readLaneAtOnce(db, 0, 0, files, read, Promise.resolve(short))).toBe(false);
      expect(await readLaneAtOnce(db, 0, 0, files, read, Promise.resolve(counted))).toBe(true);
    });
  });

  test('should give up the scan when it rejected a record, even where the rows match the counts', async () => {
    const files = [await csv('good.csv', ['1-a,x,1']), await csv('cut.csv', ['2-a,x,1', '2-b,x', '2-c,x,3'])];
    await withDuckDb(async (db) => {
      // Counts that agree with the rows returned (two of cut.csv's three records): only the reject tells.
      const agreeing: CsvRecordCount[] = [{ records: 2 }, { records: 3 }];
      expect(await readLaneAtOnce(db, 0, 0, files, read, Promise.resolve(agreeing))).toBe(false);
      expect(await db.scalarNumber('SELECT count(*) FROM chunk_input_0')).toBe(3);
    });
  });

  test('should give up, not fail, when the scan itself fails, and when the lane has no file', async () => {
    const missing = path.join(dir, 'missing.csv');
    await withDuckDb(async (db) => {
      expect(await readLaneAtOnce(db, 0, 0, [missing], read, Promise.resolve([{ records: 2 }]))).toBe(false);
      expect(await readLaneAtOnce(db, 0, 0, [], read, Promise.resolve([]))).toBe(false);
    });
  });
});
