/**
 * The drop connector: what each file of a drop directory is (planDrop), and the files handed over. The
 * NSW part uses the NSW drop connector's own listing, so both accept and refuse the same names.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { CONNECTOR_NAME, createDropConnector, planDrop, planDropDir } from '../../../functions/core/connectors/drop.js';
import { collect, testConnector } from './conformance.js';

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
    // a month no calendar has: its rows would land under month=13, which no reader projects
    ['portal/dossiers/2024-13.csv', /portal\/dossiers\/2024-13\.csv: "2024-13\.csv" has no valid month/],
    ['score766/2025-00.json', /score766\/2025-00\.json: "2025-00\.json" has no valid month/],
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

describe('drop connector on a drop directory', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'drop-connector-'));
    for (const [f, body] of [
      ['registry/agencies.csv', 'a'],
      ['portal/dossiers/2024-05.csv', 'b'],
      ['nsw/H99.01/2024-05.csv', 'c'],
      ['par/par_2024.xlsx', 'd'],
      ['exports/dvc-xlsx/DanhSachHoSo_2024-06.xlsx', 'e'],
      ['par/notes.txt', 'f'],
    ] as const) {
      mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      writeFileSync(path.join(root, f), body);
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  testConnector({
    name: CONNECTOR_NAME,
    connector: () => createDropConnector({ dir: root }),
    ranged: false,
    fixtures: () => ({
      request: {},
      expected: { payloads: 5, rows: null, source: 'drop', payloadSource: 'kind', kinds: ['registry-agencies', 'portal-csv', 'nsw-csv', 'par-xlsx', 'dossier-export'] },
    }),
    additionalTests: () => {
      test('should hand each file under its name in the drop, with its period and profile, and report the skipped ones', async () => {
        const got: [string, string, string | null, string | undefined][] = [];
        const summary = await createDropConnector({ dir: root }).pull({}, async (p) => void got.push([p.originalName, p.bytes.toString(), p.period, p.profile]));
        expect(got).toEqual([
          ['exports/dvc-xlsx/DanhSachHoSo_2024-06.xlsx', 'e', '2024-06', 'dvc-xlsx'],
          ['nsw/H99.01/2024-05.csv', 'c', '2024-05', undefined],
          ['par/par_2024.xlsx', 'd', '2024', undefined],
          ['portal/dossiers/2024-05.csv', 'b', '2024-05', undefined],
          ['registry/agencies.csv', 'a', null, undefined],
        ]);
        expect(summary.periods).toEqual(['2024', '2024-05', '2024-06']);
        expect(summary.skipped).toEqual([{ file: 'par/notes.txt', reason: 'not a known export name under par/ (see docs/data-contracts.md)' }]);
      });

      test('should hand over only the included kinds, still reporting every skipped name', async () => {
        const connector = createDropConnector({ dir: root, include: ['nsw-csv'] });
        const payloads = await collect(connector, {});
        expect(payloads.map((p) => p.originalName)).toEqual(['nsw/H99.01/2024-05.csv']);
        expect((await connector.pull({}, async () => {})).skipped.map((s) => s.file)).toEqual(['par/notes.txt']);
      });
    },
  });
});
