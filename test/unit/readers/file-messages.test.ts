/**
 * What the readers say when the file itself is the problem (a password-protected workbook, a CSV of
 * only a BOM, Excel's trailing empty columns), and the cell helpers that keep an uncalculated
 * formula or an error value from reading as a number.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PipelineInputError } from '../../../functions/core/errors.js';
import { checkCsvHeader, describeHeaderDiff, headerFields, NSW_CSV_HEADER, PORTAL_CSV_HEADER } from '../../../functions/core/lake/csv-header.js';
import { detectCsvEncoding } from '../../../functions/core/lake/encoding.js';
import { AGENCY_COLUMNS, readAgenciesCsv } from '../../../functions/core/readers/registry.js';
import { readBieu06Xlsx } from '../../../functions/core/readers/xlsx/bieu06.js';
import { cellFault, cellRef, cellScalar, streamRows } from '../../../functions/core/readers/xlsx/common.js';
import { readParXlsx } from '../../../functions/core/readers/xlsx/par.js';
import { encodeWindows1258 } from '../../fixtures/bad/make.js';
import { cfbFile } from '../../fixtures/cfb.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'file-messages-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('XLSX readers given an OLE/CFB file', () => {
  test('should say that an encrypted workbook is password-protected and how to save it without the password', async () => {
    const path = join(dir, 'bieu06_2025_q1.xlsx');
    await writeFile(path, cfbFile(['EncryptionInfo', 'EncryptedPackage']));
    const err = await readBieu06Xlsx(path, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineInputError);
    expect((err as PipelineInputError).file).toBe('bieu06_2025_q1.xlsx');
    expect((err as Error).message).toContain('Failed to read bieu06_2025_q1.xlsx: the workbook is password-protected (encrypted)');
    expect((err as Error).message).toContain('remove the password');
  });

  test('should name both causes for a CFB file without encryption streams (an old .xls)', async () => {
    const path = join(dir, 'par_2024.xlsx');
    await writeFile(path, cfbFile(['Workbook']));
    await expect(readParXlsx(path, {})).rejects.toThrow(/par_2024\.xlsx: not an XLSX file: it is an old Excel 97–2003 workbook \(\.xls\) or a password-protected workbook/);
  });
});

describe('cell helpers on formulas and errors', () => {
  test('should never give a number for an uncalculated formula or an error value', () => {
    expect(cellFault({ formula: 'SUM(C1:C9)' } as never)).toBe('formula without a computed value');
    expect(cellScalar({ formula: 'SUM(C1:C9)' } as never)).toBe('=SUM(C1:C9)');
    expect(cellFault({ formula: 'C1/0', result: { error: '#DIV/0!' } } as never)).toBe('the cell holds the error #DIV/0!');
    expect(cellFault({ error: '#REF!' } as never)).toBe('the cell holds the error #REF!');
    expect(cellFault({ formula: 'C1/0', result: Number.NaN } as never)).toBe('the cell holds an error value instead of a number');
    expect(typeof cellScalar({ formula: 'C1/0', result: Number.NaN } as never)).toBe('string');
    expect(cellFault({ formula: 'C1-C1', result: 0 } as never)).toBeNull();
    expect(cellScalar({ formula: 'C1-C1', result: 0 } as never)).toBe(0);
    expect(cellFault(12)).toBeNull();
  });

  test('should find the text of a cached error in a workbook saved with or without compression', async () => {
    for (const compression of ['DEFLATE', 'STORE'] as const) {
      const wb = new ExcelJS.Workbook();
      const ws = wb.addWorksheet('Số liệu & ghi chú');
      ws.getCell('A1').value = 1;
      ws.getCell('B1').value = { formula: 'A1/0', result: { error: '#DIV/0!' } } as never;
      ws.getCell('C1').value = { formula: 'A1-A1', result: 0 } as never;
      ws.getCell('D1').value = { formula: 'A1*2' } as never;
      const path = join(dir, `errors-${compression}.xlsx`);
      await writeFile(path, Buffer.from(await wb.xlsx.writeBuffer({ zip: { compression } } as never)));
      const seen: (string | null)[] = [];
      await streamRows(path, { scope: 'test' }, (r) => {
        for (let col = 1; col < r.values.length; col++) seen.push(`${cellRef(col, r.number)} ${cellFault(r.values[col]) ?? JSON.stringify(cellScalar(r.values[col]))}`);
      });
      expect(seen, compression).toEqual(['A1 1', 'B1 the cell holds the error #DIV/0!', 'C1 0', 'D1 formula without a computed value']);
    }
  });

  test('should read every row of every sheet of a workbook saved without compression', async () => {
    // exceljs's streaming reader, unpatched, lost the last parts of such a zip (stored parts) under load:
    // the workbook part (an error) or a whole sheet (no error). The patch reads every part.
    const wb = new ExcelJS.Workbook();
    for (let s = 1; s <= 3; s++) {
      const ws = wb.addWorksheet(`Sheet ${s}`);
      for (let r = 1; r <= 50; r++) ws.getCell(`A${r}`).value = s * 1000 + r;
    }
    const path = join(dir, 'three-sheets-STORE.xlsx');
    await writeFile(path, Buffer.from(await wb.xlsx.writeBuffer({ zip: { compression: 'STORE' } } as never)));
    const expected = [1, 2, 3].flatMap((s) => Array.from({ length: 50 }, (_, r) => `Sheet ${s}!A${r + 1}=${s * 1000 + r + 1}`));
    for (let attempt = 0; attempt < 8; attempt++) {
      const seen: string[] = [];
      await streamRows(path, { scope: 'test' }, (r) => void seen.push(`${r.sheet}!A${r.number}=${String(r.values[1])}`));
      expect(seen).toEqual(expected);
    }
  });

  test('should write A1-style references past column Z', () => {
    expect([cellRef(1, 1), cellRef(6, 14), cellRef(26, 3), cellRef(27, 3), cellRef(52, 9), cellRef(703, 2)]).toEqual(['A1', 'F14', 'Z3', 'AA3', 'AZ9', 'AAA2']);
  });
});

describe('checkCsvHeader on what Excel and editors save', () => {
  const header = PORTAL_CSV_HEADER.join(',');
  const write = async (name: string, content: string | Buffer): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, content);
    return path;
  };

  test('should call a file of only a BOM empty, not a file with an unexpected column ""', async () => {
    const path = await write('bom-only.csv', '\ufeff');
    const err = await checkCsvHeader(path, 'portal/2024-05.csv', PORTAL_CSV_HEADER, ',').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineInputError);
    expect((err as Error).message).toContain('portal/2024-05.csv (row 1): the file is empty: it holds only a byte-order mark (BOM) and no header row');
    expect((err as Error).message).not.toContain('""');
  });

  test('should call a file of a BOM and blank lines empty too', async () => {
    const path = await write('bom-blank.csv', '\ufeff\r\n\r\n');
    await expect(checkCsvHeader(path, 'x.csv', PORTAL_CSV_HEADER, ',')).rejects.toThrow(/x\.csv \(row 1\): the file is empty: it holds only a byte-order mark/);
  });

  test('should accept trailing empty columns after the header and report how many', async () => {
    const path = await write('trailing.csv', `\ufeff${header},,\r\nrow\r\n`);
    await expect(checkCsvHeader(path, 'x.csv', PORTAL_CSV_HEADER, ',')).resolves.toEqual({ trailingEmptyColumns: 2 });
    await expect(detectCsvEncoding(path, 'x.csv', PORTAL_CSV_HEADER, ',')).resolves.toBe('utf-8');
  });

  test('should say a header of only separators is empty', async () => {
    const path = await write('commas.csv', ',,,,\r\n1,2,3,4\r\n');
    await expect(checkCsvHeader(path, 'x.csv', PORTAL_CSV_HEADER, ',')).rejects.toThrow(/the header row \(line 1\) is empty: it holds only separators/);
  });

  test('should name an empty heading in the middle by its position', () => {
    const found = headerFields(`A,,B`, ',').fields;
    expect(describeHeaderDiff(['A', 'B'], found)).toBe('unexpected an empty heading (column 2; remove the empty column or name it)');
  });

  test('should still accept a Windows-1258 export with trailing empty columns', async () => {
    const path = await write('w1258.csv', Buffer.concat([encodeWindows1258(`${NSW_CSV_HEADER.join(';')};;`), Buffer.from('\r\n')]));
    await expect(detectCsvEncoding(path, 'w.csv', NSW_CSV_HEADER, ';')).resolves.toBe('windows-1258');
  });
});

describe('registry CSV with trailing empty columns from Excel', () => {
  test('should ignore the empty columns in the header and the empty fields under them', async () => {
    const path = join(dir, 'agencies-trailing.csv');
    await writeFile(
      path,
      `\ufeff${AGENCY_COLUMNS.join(',')},,\r\nH99.05,Sở Tư pháp,Tư pháp,so,,H99,2019-01-01,,,,\r\nH99.06,Sở Y tế,Y tế,so,,H99,2019-01-01,,\r\nH99.07,Sở X,X,so,,H99,2019-01-01,,,,oops\r\n`,
    );
    const got = await readAgenciesCsv(path);
    expect(got.rows.map((r) => r.agency_code)).toEqual(['H99.05', 'H99.06']);
    // A value under an empty heading is not dropped: the row is quarantined.
    expect(got.quarantine.map((q) => [q.row_no, q.reason])).toEqual([[3, 'line 4: 11 fields where the header has 9']]);
    expect(got.rowsRead).toBe(3);
  });

  test('should call a registry file of only a BOM and a blank line empty', async () => {
    const path = join(dir, 'agencies-bom.csv');
    await writeFile(path, '\ufeff\r\n');
    await expect(readAgenciesCsv(path)).rejects.toThrow(/agencies-bom\.csv: the file is empty; expected the header/);
  });
});
