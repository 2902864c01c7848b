import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { literal, withDuckDb } from '../../../functions/core/engine/duckdb.js';
import { countCsvRecords, countCsvRecordsSync, countLines, lineAt, READ_BYTES } from '../../../functions/core/lake/csv-records.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'csv-records-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const HEADER = 'a,b,c';
const row = (i: number): string => `id-${i},x${i},${i}`;

/** The rows plus the distinct rejected lines DuckDB's reader gives for a file (small files: its reader is right there). */
async function duckdbRecords(file: string): Promise<number> {
  return withDuckDb(async (db) => {
    const read = `read_csv(${literal(file)}, header = true, delim = ',', quote = '"', escape = '"', columns = {'a': 'VARCHAR', 'b': 'VARCHAR', 'c': 'VARCHAR'},
                           auto_detect = false, store_rejects = true, null_padding = false, max_line_size = 1048576)`;
    const rows = await db.scalarNumber(`SELECT count(*) FROM ${read}`);
    return rows + (await db.scalarNumber('SELECT count(DISTINCT line) FROM reject_errors'));
  });
}

async function file(name: string, text: string | Buffer): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, text);
  return p;
}

describe('countCsvRecords counts the records DuckDB reads (rows + rejected records), header included', () => {
  const cases: [string, string, number][] = [
    ['LF line breaks', [HEADER, row(1), row(2)].join('\n') + '\n', 2],
    ['CR LF line breaks', [HEADER, row(1), row(2)].join('\r\n') + '\r\n', 2],
    ['lone CR line breaks', [HEADER, row(1), row(2)].join('\r') + '\r', 2],
    ['no line break after the last row', [HEADER, row(1), row(2)].join('\n'), 2],
    ['an empty line inside, empty lines at the end (no records)', [HEADER, row(1), '', row(2)].join('\r\n') + '\r\n\r\n\r\n', 2],
    ['a line of spaces (a record, rejected)', [HEADER, row(1), '   ', row(2)].join('\n') + '\n', 3],
    ['a line of separators only (a record)', [HEADER, ',,', row(1)].join('\n') + '\n', 2],
    ['a quoted value holding line breaks and separators', [HEADER, 'id-1,"two\r\nlines, one value",1', row(2)].join('\r\n') + '\r\n', 2],
    ['escaped quotes inside a quoted value', [HEADER, 'id-1,"say ""hi""\nthere",1', row(2)].join('\n') + '\n', 2],
    ['a quote inside an unquoted value (text)', [HEADER, 'id-1,5" pipe,1', row(2)].join('\n') + '\n', 2],
    ['text after a closing quote (a rejected record, the next line read)', [HEADER, 'id-1,"x"y,1', row(2)].join('\n') + '\n', 2],
    ['a quote never closed: the rest of the file is one record', [HEADER, row(1), 'id-2,"open,2', row(3), row(4)].join('\n') + '\n', 2],
    ['the last value quoted, no line break at the end', [HEADER, row(1), 'id-2,x,"2"'].join('\n'), 2],
  ];
  for (const [what, text, dataRecords] of cases) {
    test(`should count ${what}`, async () => {
      const f = await file(`${what.replace(/\W+/g, '-')}.csv`, text);
      const counted = await countCsvRecords(f, ',');
      expect(counted.records - 1).toBe(dataRecords);
      expect(await duckdbRecords(f)).toBe(dataRecords);
      // The small files' path (one synchronous read) counts the same.
      expect(countCsvRecordsSync(f, ',')).toEqual(counted);
    });
  }

  test('should name the record and the line where a quote is left open', async () => {
    const f = await file('open.csv', [HEADER, row(1), 'id-2,"a\nb', row(3)].join('\r\n') + '\r\n');
    const counted = await countCsvRecords(f, ',');
    expect(counted).toEqual({ records: 3, unterminated: { record: 3, byte: Buffer.byteLength(`${HEADER}\r\n${row(1)}\r\n`) } });
    expect(countCsvRecordsSync(f, ',')).toEqual(counted);
    expect(await lineAt(f, counted.unterminated!.byte)).toBe(3);
  });

  // The file is read READ_BYTES at a time: a record, a quoted value, an escaped quote or a CR LF cut by a
  // chunk's end counts once. Each case puts the given character of its line first in the second chunk.
  const cuts: [string, string, number][] = [
    ['a CR LF between its CR and its LF', 'id-x,x,1\r\n', 'id-x,x,1\r'.length],
    ['an escaped quote between its two quotes', 'id-x,"a""b",1\r\n', 'id-x,"a"'.length],
    ['a quoted value right after its closing quote', 'id-x,"ab",1\r\n', 'id-x,"ab"'.length],
    ['a quoted last value between its closing quote and the line break', 'id-x,x,"1"\r\n', 'id-x,x,"1"'.length],
    ['a quoted value holding a line break, inside it', 'id-x,"a\r\nb",1\r\n', 'id-x,"a\r'.length],
    ['a line right at its start (the previous one ended the chunk)', 'id-x,x,1\r\n', 0],
  ];
  for (const [what, line, at] of cuts) {
    test(`should count a file whose read is cut in ${what}`, async () => {
      const head: string[] = [HEADER];
      for (let i = 1; i <= 20_000; i++) head.push(row(i));
      const before = head.join('\r\n') + '\r\n';
      const fill = READ_BYTES - Buffer.byteLength(before) - Buffer.byteLength('id-f,,0\r\n') - at;
      expect(fill).toBeGreaterThan(0);
      const text = `${before}id-f,${'y'.repeat(fill)},0\r\n${line}${row(20_001)}\r\n`;
      expect(Buffer.from(text).subarray(READ_BYTES - at, READ_BYTES - at + line.length).toString()).toBe(line);
      const f = await file(`cut-${what.replace(/\W+/g, '-')}.csv`, text);
      expect((await countCsvRecords(f, ',')).records - 1).toBe(20_003);
      expect(await duckdbRecords(f)).toBe(20_003);
      expect(countCsvRecordsSync(f, ',').records - 1).toBe(20_003);
    });
  }

  // DuckDB numbers a rejected record by its line, counting the empty lines above it and a record over
  // several lines (inside quotes) as one: those lines turn its line into its data-row number (land.ts).
  test('should place the empty lines as DuckDB numbers them, so a rejected record gets its data-row number', async () => {
    const layouts: [string, string, number[]][] = [
      ['LF, empty lines before a cut record', [HEADER, row(1), '', '', 'id-2,x', row(3), 'id-4,x'].join('\n') + '\n', [2, 4]],
      ['CR LF, runs of empty lines and a quoted line break', [HEADER, '', row(1), '\r\n', 'id-2,"a\r\n\r\nb",2', 'id-3,x', '', row(4), 'id-5,x'].join('\r\n') + '\r\n\r\n', [3, 5]],
      ['lone CR line breaks', [HEADER, row(1), '', 'id-2,x', row(3)].join('\r') + '\r', [2]],
    ];
    for (const [what, text, rejected] of layouts) {
      const f = await file(`blank-${what.replace(/\W+/g, '-')}.csv`, text);
      const counted = await countCsvRecords(f, ',');
      expect(countCsvRecordsSync(f, ','), what).toEqual(counted);
      const lines = await withDuckDb(async (db) => {
        await db.all(`SELECT count(*) FROM read_csv(${literal(f)}, header = true, delim = ',', quote = '"', escape = '"', columns = {'a': 'VARCHAR', 'b': 'VARCHAR', 'c': 'VARCHAR'},
                      auto_detect = false, store_rejects = true, null_padding = false)`);
        return (await db.all('SELECT DISTINCT line FROM reject_errors ORDER BY line')).map((r) => Number(r.line));
      });
      const blanksBefore = (line: number): number => (counted.blankLines ?? []).filter((b) => b.line < line).reduce((n, b) => n + b.n, 0);
      expect(lines.map((line) => line - 1 - blanksBefore(line)), what).toEqual(rejected);
    }
  });

  test('should count the semicolon-separated NSW layout by its own separator', async () => {
    const f = await file('nsw.csv', ['a;b;c', 'x;"1;2";3', 'y;"";4'].join('\n') + '\n');
    expect((await countCsvRecords(f, ';')).records).toBe(3);
    expect(countCsvRecordsSync(f, ';').records).toBe(3);
  });
});

/** The rows DuckDB's reader returns in its line-based mode (null_padding: the vendor-export path, profiles/load.ts). */
async function duckdbLines(file: string, delim = ','): Promise<number> {
  return withDuckDb((db) =>
    db.scalarNumber(
      `SELECT count(*) FROM read_csv(${literal(file)}, header = false, all_varchar = true, delim = ${literal(delim)}, quote = '"', escape = '"', null_padding = true, max_line_size = 4194304)`,
    ),
  );
}

describe('countLines counts the lines DuckDB returns in its line-based mode (vendor exports)', () => {
  const cases: [string, string, number][] = [
    ['LF line breaks', 'a;b;c\n1;2;3\n4;5;6\n', 3],
    ['CR LF line breaks and empty lines', 'a;b;c\r\n\r\n1;2;3\r\n4;5;6\r\n\r\n', 3],
    ['lone CR line breaks', 'a;b;c\r1;2;3\r4;5;6\r', 3],
    ['no line break after the last line', 'a;b;c\n1;2;3\n4;5;6', 3],
    ['title rows above the header, a blank line between', 'BÁO CÁO DANH SÁCH HỒ SƠ\nTháng 5/2024\n\nSTT;Mã hồ sơ;Ngày\n1;A1;01/05/2024\n', 4],
    ['a line of separators only, a line of spaces only, a short line', 'a;b;c\n;;\n   \n1\n1;2;3\n', 5],
    ['a quoted value holding the separator, and a BOM', '\ufeffa;b;c\n"x;y";2;3\n', 2],
  ];
  for (const [what, text, lines] of cases) {
    test(`should count ${what} as DuckDB reads it`, async () => {
      const f = await file(`lines-${what.replace(/\W+/g, '-')}.csv`, text);
      expect(await countLines(f)).toBe(lines);
      expect(await duckdbLines(f, ';')).toBe(lines);
    });
  }

  test('should count a CR LF cut between its CR and its LF by the 4 MiB read once', async () => {
    const before = 'a,b,c\r\n';
    const fill = READ_BYTES - Buffer.byteLength(before) - 'x,,\r'.length;
    const f = await file('lines-cut.csv', `${before}x,${'y'.repeat(fill)},\r\n1,2,3\r\n`);
    expect(await countLines(f)).toBe(3);
    expect(await duckdbLines(f)).toBe(3);
  });
});
