import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PipelineInputError } from '../../../functions/core/errors.js';
import { parseCsvText } from '../../../functions/core/readers/csv.js';
import { AGENCY_COLUMNS, PROCEDURE_COLUMNS, readAgenciesCsv, readProceduresCsv } from '../../../functions/core/readers/registry.js';
import { QuarantineRecord } from '../../../functions/core/schemas/index.js';

const BOM = '\ufeff';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'registry-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, lines: string[], opts: { bom?: boolean; eol?: string } = {}): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, (opts.bom === false ? '' : BOM) + lines.join(opts.eol ?? '\r\n') + (opts.eol ?? '\r\n'));
  return path;
}

const AGENCY_HEADER = AGENCY_COLUMNS.join(',');
const AGENCIES = [
  AGENCY_HEADER,
  'H99.05,Sở Tư pháp,Tư pháp,so,,H99,2019-01-01,,',
  'H99.07,Sở Khoa học và Công nghệ,KH&CN,so,,H99,2019-01-01,2025-02-28,H99.21',
  'H99.21,Sở Khoa học và Công nghệ,KH&CN,so,,H99,2025-03-01,,',
  'H99.09.01,"Chi cục Tiêu chuẩn Đo lường Chất lượng, tỉnh Sông Xanh",Chi cục TĐC,chi_cuc,H99.07,H99,2019-01-01,,',
];

describe('readAgenciesCsv with a valid file', () => {
  test('should return every row typed, with empty cells as null', async () => {
    const got = await readAgenciesCsv(await file('agencies.csv', AGENCIES));
    expect(got.quarantine).toEqual([]);
    expect(got.rowsRead).toBe(4);
    expect(got.rows[0]).toEqual({
      agency_code: 'H99.05',
      name: 'Sở Tư pháp',
      short_name: 'Tư pháp',
      kind: 'so',
      parent_code: null,
      province_code: 'H99',
      valid_from: '2019-01-01',
      valid_to: null,
      successor_code: null,
    });
    expect(got.rows[1]).toMatchObject({ valid_to: '2025-02-28', successor_code: 'H99.21' });
    expect(got.rows[3]?.name).toBe('Chi cục Tiêu chuẩn Đo lường Chất lượng, tỉnh Sông Xanh');
  });

  test('should accept LF line ends, no BOM and NFD text', async () => {
    const got = await readAgenciesCsv(await file('agencies-lf.csv', AGENCIES.map((l) => l.normalize('NFD')), { bom: false, eol: '\n' }));
    expect(got.rows.map((r) => r.name)[0]).toBe('Sở Tư pháp');
  });
});

describe('readAgenciesCsv with bad rows', () => {
  test('should quarantine each bad row with its row and field and keep the rest', async () => {
    const path = await file('agencies-bad.csv', [
      ...AGENCIES,
      'H99.30,Sở Ngoại vụ,Ngoại vụ,department,,H99,2019-01-01,,',
      'H99.31,Sở Du lịch,Du lịch,so,,H99,01/01/2019,,',
      'H99.32,Sở Dân tộc,Dân tộc,so,,H99,2020-01-01,2019-12-31,',
      'H99.05,Sở Tư pháp,Tư pháp,so,,H99,2019-01-01,,',
      'H99.33,Sở Thiếu cột,so',
    ]);
    const got = await readAgenciesCsv(path);
    expect(got.rows).toHaveLength(4);
    expect(got.quarantine.map((q) => [q.row_no, q.field])).toEqual([
      [5, 'kind'],
      [6, 'valid_from'],
      [7, 'valid_to'],
      [8, 'agency_code'],
      [9, null],
    ]);
    expect(got.quarantine[0]?.reason).toMatch(/^line 6: kind "department": /);
    expect(got.quarantine[0]?.raw_value).toBe('department');
    expect(got.quarantine[1]?.reason).toContain('expected YYYY-MM-DD');
    expect(got.quarantine[2]?.reason).toBe('line 8: valid_to 2019-12-31 is before valid_from 2020-01-01');
    expect(got.quarantine[3]?.reason).toBe('line 9: duplicate agency_code+valid_from H99.05@2019-01-01 (first at data row 1)');
    expect(got.quarantine[4]?.reason).toBe('line 10: 3 fields where the header has 9');
    expect(got.rowsRead).toBe(got.rows.length + got.quarantine.length);
    for (const q of got.quarantine) {
      expect(QuarantineRecord.safeParse(q).success).toBe(true);
      expect(q).toMatchObject({ dataset: 'agencies', source_file: 'agencies-bad.csv' });
    }
    expect(JSON.parse(got.quarantine[0]!.raw_record)).toMatchObject({ agency_code: 'H99.30', kind: 'department' });
  });
});

describe('readAgenciesCsv with a wrong header', () => {
  test('should fail listing the expected and the found headers when a column is renamed', async () => {
    const path = await file('agencies-renamed.csv', [AGENCY_HEADER.replace('short_name', 'ten_viet_tat'), 'H99.05,Sở Tư pháp,Tư pháp,so,,H99,2019-01-01,,']);
    const err = await readAgenciesCsv(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PipelineInputError);
    expect((err as Error).message).toBe(
      '[pipeline] [agencies] Failed to read agencies-renamed.csv (row 1): the header does not match (missing short_name; unexpected ten_viet_tat): ' +
        `expected [${AGENCY_COLUMNS.join(', ')}], found [${AGENCY_HEADER.replace('short_name', 'ten_viet_tat').split(',').join(', ')}]`,
    );
  });

  test('should fail on an empty file', async () => {
    const path = join(dir, 'empty.csv');
    await writeFile(path, '');
    await expect(readAgenciesCsv(path)).rejects.toThrow(/Failed to read empty\.csv: the file is empty/);
  });

  test('should fail on a file that is not UTF-8', async () => {
    const path = join(dir, 'ansi.csv');
    await writeFile(path, Buffer.concat([Buffer.from(`${AGENCY_HEADER}\r\nH99.05,S`), Buffer.from([0xd4, 0x20]), Buffer.from('pháp\r\n')]));
    await expect(readAgenciesCsv(path)).rejects.toThrow(/Failed to read ansi\.csv: the file is not UTF-8/);
  });
});

describe('readProceduresCsv with good and bad rows', () => {
  test('should type booleans and integers and quarantine bad values', async () => {
    const path = await file('procedures.csv', [
      PROCEDURE_COLUMNS.join(','),
      '1.001234,"Cấp Phiếu lý lịch tư pháp, số 1",Lý lịch tư pháp,H99.05,toan_trinh,true,false,10,15',
      '1.001235,Đăng ký khai sinh,Hộ tịch,H99.05,mot_phan,false,false,3,3',
      '1.001236,Kiểm tra nhà nước chất lượng hàng nhập khẩu,Tiêu chuẩn,H99.09.01,toan_trinh,có,không,1,1',
      '1.001237,Thủ tục lỗi,Hộ tịch,H99.05,khong,maybe,false,3,3',
      '1.001238,Thủ tục lỗi 2,Hộ tịch,H99.05,khong,false,false,2.5,3',
      '1.001239,Thủ tục lỗi 3,Hộ tịch,H99.05,khong,false,false,5,3',
    ]);
    const got = await readProceduresCsv(path);
    expect(got.rows.map((p) => [p.procedure_code, p.is_fee_bearing, p.is_nsw, p.statutory_days])).toEqual([
      ['1.001234', true, false, 10],
      ['1.001235', false, false, 3],
      ['1.001236', true, false, 1],
    ]);
    expect(got.rows[0]?.name).toBe('Cấp Phiếu lý lịch tư pháp, số 1');
    expect(got.quarantine.map((q) => [q.row_no, q.field, q.raw_value])).toEqual([
      [4, 'is_fee_bearing', 'maybe'],
      [5, 'statutory_days', '2.5'],
      [6, 'statutory_days', '5'],
    ]);
    expect(got.rowsRead).toBe(6);
  });
});

describe('parseCsvText with RFC 4180 quoting', () => {
  test('should read quoted fields with separators, quotes and line breaks', () => {
    const recs = parseCsvText('a;b;c\r\n"x;1";"say ""hi""";"two\nlines"\r\n;;\r\n', 'f.csv', ';');
    expect(recs).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 2, fields: ['x;1', 'say "hi"', 'two\nlines'] },
      { line: 4, fields: ['', '', ''] },
    ]);
  });

  test('should keep a last line without a line end and an empty quoted field', () => {
    expect(parseCsvText('a,b\n"",x', 'f.csv')).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['', 'x'] },
    ]);
  });

  test.each([
    ['a,"b\n', /Failed to read f\.csv \(row 1\): a quoted field is not closed/],
    ['a,b"c\n', /Failed to read f\.csv \(row 1\): a quote inside an unquoted field/],
    ['a,"b"c\n', /Failed to read f\.csv \(row 1\): text after a closing quote/],
  ])('should reject %j', (text, message) => {
    expect(() => parseCsvText(text, 'f.csv')).toThrow(message);
  });
});
