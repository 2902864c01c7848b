/**
 * planDrop: what each file of a drop directory is. The NSW part uses the NSW drop connector's own
 * listing, so both accept and refuse the same names.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { planDrop, planDropDir } from '../../../functions/core/pipeline.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function drop(files: string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'drop-'));
  dirs.push(root);
  for (const f of files) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), 'x');
  }
  return root;
}

describe('planDrop', () => {
  test('should stage vendor exports under exports/<profile>/ with their profile, and skip an unknown profile or a non-XLSX file there', async () => {
    const root = drop(['exports/dvc-xlsx/DanhSachHoSo_2024-05.xlsx', 'exports/so-theo-doi/so 2024.xlsx', 'exports/acme/list.xlsx', 'exports/own-csv/x.csv', 'exports/loose.xlsx']);
    const { files, skipped } = await planDropDir(root);
    expect(files.map((f) => [path.relative(root, f.path), f.kind, f.period, f.profile])).toEqual([
      ['exports/dvc-xlsx/DanhSachHoSo_2024-05.xlsx', 'dossier-export', '2024-05', 'dvc-xlsx'],
      ['exports/so-theo-doi/so 2024.xlsx', 'dossier-export', '2024', 'so-theo-doi'],
    ]);
    expect(skipped.map((s) => s.file)).toEqual(['exports/acme/list.xlsx', 'exports/loose.xlsx', 'exports/own-csv/x.csv']);
    expect(skipped[0]!.reason).toMatch(/known XLSX profile \(dvc-xlsx, so-theo-doi; run `npm run cli -- inspect <file>`/);
  });

  test('should classify every known file, NSW files by agency folder and month, and skip hidden files', async () => {
    const root = drop(['registry/agencies.csv', 'portal/dossiers/2024-05.csv', 'nsw/H99.01/2024-05.csv', 'nsw/H99.02/2024-04.csv', 'nsw/H99.01/.DS_Store', 'nsw/.keep', 'par/par_2024.xlsx']);
    const plan = (await planDrop(root)).map((f) => [path.relative(root, f.path), f.kind, f.period]);
    expect(plan).toEqual([
      ['nsw/H99.01/2024-05.csv', 'nsw-csv', '2024-05'],
      ['nsw/H99.02/2024-04.csv', 'nsw-csv', '2024-04'],
      ['par/par_2024.xlsx', 'par-xlsx', '2024'],
      ['portal/dossiers/2024-05.csv', 'portal-csv', '2024-05'],
      ['registry/agencies.csv', 'registry-agencies', null],
    ]);
  });

  test.each([
    ['nsw/H99.01/2024-13.csv', /nsw\/H99\.01\/2024-13\.csv: "2024-13\.csv" has no valid month/],
    ['nsw/H99 01!/2024-05.csv', /nsw\/H99 01!\/2024-05\.csv: "H99 01!" is not an agency code/],
    ['nsw/2024-05.csv', /nsw\/2024-05\.csv: expected <agency_code>\/<yyyy-mm>\.csv/],
    ['nsw/H99.01/may.csv', /"may\.csv" is not named <yyyy-mm>\.csv/],
  ])('should skip %s naming the file and the rule, and still plan the rest of the drop', async (file, message) => {
    const root = drop(['registry/agencies.csv', file]);
    const plan = await planDropDir(root);
    expect(plan.files.map((f) => path.relative(root, f.path))).toEqual(['registry/agencies.csv']);
    expect(plan.skipped).toHaveLength(1);
    expect(`${plan.skipped[0]!.file}: ${plan.skipped[0]!.reason}`).toMatch(message);
  });

  test('should skip an unknown file elsewhere in the drop with the reason, not refuse the drop', async () => {
    const root = drop(['par/notes.txt', 'par/par_2024.xlsx']);
    const plan = await planDropDir(root);
    expect(plan.files.map((f) => path.relative(root, f.path))).toEqual(['par/par_2024.xlsx']);
    expect(plan.skipped).toEqual([{ file: 'par/notes.txt', reason: 'not a known export name under par/ (see docs/data-contracts.md)' }]);
    expect((await planDrop(root)).map((f) => path.relative(root, f.path))).toEqual(['par/par_2024.xlsx']);
  });
});
