/**
 * Small deterministic portal CSV exports (docs/data-contracts.md §2.3) for tests: written here, not by the generator.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PORTAL_CSV_HEADER } from '../../../functions/portal/dossier-store.js';

export const FIXTURE_DATA_DIR = path.resolve('test/fixtures/portal/data');
/** The real 766 captures kept in the repository (docs/domain.md §3). */
export const REAL_DIR = path.resolve('functions/portal/fixtures/dvcqg-766');

/** A tiny seeded PRNG (mulberry32): the same sequence on every run (shuffled fixture rows, the crash suite's kill points). */
export function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** CSV lines (no header) for `count` dossiers received in `period`, in shuffled order; returns ids too. */
export function monthRows(period: string, count: number, seed = 1): { lines: string[]; ids: string[] } {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  const rnd = mulberry32(seed + y * 100 + m);
  const rows: { id: string; line: string }[] = [];
  for (let i = 1; i <= count; i++) {
    const day = 1 + (i % days);
    const agency = `H99.${pad(1 + (i % 18))}`;
    const id = `${agency}-${String(y).slice(2)}${pad(m)}${pad(day)}-${pad(i, 6)}`;
    const recv = `${pad(day)}/${pad(m)}/${y} ${pad(7 + (i % 10))}:${pad(i % 60)}`;
    const done = i % 3 === 0;
    const status = done ? 'DA_TRA_KET_QUA' : 'DANG_XU_LY';
    const finished = done ? recv : '';
    const fee = i % 2 === 0 ? 'Có' : 'Không';
    const line = [id, `1.00${pad(i % 100, 4)}`, agency, String(1 + (i % 3)), recv, recv, finished, status, '0', fee, fee, 'Có', 'Không', 'Có', 'Không', recv].join(',');
    rows.push({ id, line });
  }
  for (let i = rows.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [rows[i], rows[j]] = [rows[j]!, rows[i]!];
  }
  return { lines: rows.map((r) => r.line), ids: rows.map((r) => r.id) };
}

/** Write `<dataDir>/portal/dossiers/<yyyy>/<period>.csv` with a BOM and CRLF line ends. */
export async function writeMonthCsv(dataDir: string, period: string, lines: string[], header: readonly string[] = PORTAL_CSV_HEADER): Promise<string> {
  const dir = path.join(dataDir, 'portal', 'dossiers', period.slice(0, 4));
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${period}.csv`);
  await writeFile(file, `\uFEFF${[header.join(','), ...lines].map((l) => `${l}\r\n`).join('')}`, 'utf8');
  return file;
}

const created: string[] = [];

/** A fresh directory under the OS temp dir; removed by removeTempDirs() (call it in afterAll). */
export async function tempDataDir(): Promise<string> {
  const base = path.join(os.tmpdir(), 'portal-tests');
  await mkdir(base, { recursive: true });
  const dir = await mkdtemp(path.join(base, 'data-'));
  created.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  for (const dir of created.splice(0)) await rm(dir, { recursive: true, force: true });
}
