import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CONNECTOR_NAME, createNswDropConnector, listNswFiles, parseNswDropKey } from '../../../functions/core/connectors/nsw-drop.js';
import { removeTempDirs, tempDataDir } from '../portal/helpers.js';

afterAll(removeTempDirs);
import { collect, testConnector } from './conformance.js';

const HEADER = 'STT;Số hồ sơ;Mã thủ tục;Tên thủ tục;Mã cơ quan xử lý;Ngày nộp;Ngày tiếp nhận;Ngày hẹn trả;Ngày hoàn thành;Trạng thái;Thanh toán trực tuyến;Có kết quả điện tử';
const csv = (n: number) => `\uFEFF${HEADER}\r\n${Array.from({ length: n }, (_, i) => `${i + 1};NSW${i};2.001;Kiểm tra;H99.09.01;02-05-2024 08:00:00;02-05-2024 09:00:00;09-05-2024 17:00:00;;Đang xử lý;;\r\n`).join('')}`;

let drop: string;
beforeAll(async () => {
  drop = path.join(await tempDataDir(), 'nsw');
  await mkdir(path.join(drop, 'H99.09.01'), { recursive: true });
  await mkdir(path.join(drop, 'H99.05'), { recursive: true });
  await writeFile(path.join(drop, 'H99.09.01', '2024-05.csv'), csv(3));
  await writeFile(path.join(drop, 'H99.09.01', '2024-06.csv'), csv(2));
  await writeFile(path.join(drop, 'H99.05', '2024-05.csv'), csv(1));
  await writeFile(path.join(drop, 'H99.05', '2024-13.csv'), csv(1));
  await writeFile(path.join(drop, 'H99.05', 'notes.txt'), 'hello');
  await writeFile(path.join(drop, 'README.txt'), 'drop files here');
  await symlink(path.join(drop, 'H99.05', '2024-05.csv'), path.join(drop, 'H99.05', '2024-07.csv'));
});

describe('NSW drop key validation', () => {
  test.each([
    ['../H99.05/2024-05.csv', "'..'"],
    ['H99.05/../2024-05.csv', "'..'"],
    ['/etc/H99.05/2024-05.csv', 'absolute'],
    ['C:/drop/2024-05.csv', 'absolute'],
    ['H99.05\\2024-05.csv', 'backslashes'],
    ['a/b/2024-05.csv', 'expected <agency_code>/<yyyy-mm>.csv'],
    ['H99.05/2024-5.csv', 'is not named'],
    ['H99.05/2024-00.csv', 'no valid month'],
    ['.hidden/2024-05.csv', 'not an agency code'],
  ])('should reject %s', (key, reason) => {
    const r = parseNswDropKey(key);
    expect('reason' in r && r.reason).toContain(reason);
  });

  test('should read the agency and the period of a valid key', () => {
    expect(parseNswDropKey('H99.09.01/2024-05.csv')).toEqual({ agencyCode: 'H99.09.01', period: '2024-05' });
  });
});

describe('NSW drop connector on a drop directory', () => {
  testConnector({
    name: CONNECTOR_NAME,
    connector: () => createNswDropConnector({ dropDir: drop }),
    fixtures: { request: { from: '2024-05', to: '2024-06' }, expected: { payloads: 3, rows: null, source: 'nsw', dataset: 'dossiers', kinds: ['nsw-csv'] } },
    additionalTests: () => {
      test('should list valid files by period and report every other entry with its reason', async () => {
        const listing = await listNswFiles(drop);
        expect(listing.files.map((f) => [f.key, f.agencyCode, f.period])).toEqual([
          ['H99.05/2024-05.csv', 'H99.05', '2024-05'],
          ['H99.09.01/2024-05.csv', 'H99.09.01', '2024-05'],
          ['H99.09.01/2024-06.csv', 'H99.09.01', '2024-06'],
        ]);
        expect(listing.files.every((f) => path.isAbsolute(f.path))).toBe(true);
        expect(listing.rejected.map((r) => r.key).sort()).toEqual(['H99.05/2024-07.csv', 'H99.05/2024-13.csv', 'H99.05/notes.txt', 'README.txt']);
        expect(listing.rejected.find((r) => r.key === 'H99.05/2024-07.csv')?.reason).toContain('symbolic links');
      });

      test('should hand only the requested months, bytes unchanged', async () => {
        const payloads = await collect(createNswDropConnector({ dropDir: drop }), { from: '2024-06', to: '2024-06' });
        expect(payloads.map((p) => p.originalName)).toEqual(['H99.09.01/2024-06.csv']);
        expect(payloads[0]!.bytes.toString('utf8')).toBe(csv(2));
      });

      test('should refuse the drop in strict mode, naming the unexpected entries', async () => {
        await expect(createNswDropConnector({ dropDir: drop, strict: true }).pull({ from: '2024-05', to: '2024-05' }, async () => {})).rejects.toThrow(
          /unexpected entries: .*H99\.05\/2024-13\.csv \("2024-13\.csv" has no valid month\)/,
        );
      });

      test('should name the directory when the drop does not exist', async () => {
        await expect(listNswFiles(path.join(drop, 'missing'))).rejects.toThrow(/Failed to list the NSW drop .*missing/);
      });
    },
  });
});
