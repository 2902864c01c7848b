/**
 * Incremental transforms against random sequences of arrivals (docs/architecture.md, "Incremental
 * models"): incremental.test.ts proves seven chosen cases; this suite lets a seeded generator choose.
 * A small province lands its first months (with their 766 answers, Biểu 06 and PAR workbooks) and is
 * transformed in full; then each step lands what a province's month may bring, in random measure. A busy
 * step: the next month's portal and NSW exports, 766 answers and the workbooks it closes;
 * portal months of any age re-sent whole or as a delta of their changed rows (finished later or
 * earlier, across a year's end, reopened, withdrawn, refused, a due date moved, supplement days, flags,
 * channel, a version older than the landed one, a row the landing quarantines, a receipt moved to
 * another month), sometimes with a new dossier; NSW exports re-sent with changes; the portal's copy of
 * an NSW dossier ahead of its NSW export (docs/data-contracts.md §4.6); a file sent twice; once, a
 * corrected registry. A quiet step: one long-running dossier changed, sent alone, so that nothing else
 * widens what the run recomputes. After every step the transform must leave every file under models/
 * (marts, intermediates, partitions, the state) byte-identical to a `--full-refresh` rebuild of a copy
 * of the same lake, with every row the land read landed or quarantined; each step but the registry's
 * must run incrementally, so the suite cannot pass by rebuilding everything. At the end every drop of
 * the sequence is sent again, in order: nothing new lands, the transform finds no new dossier file, and
 * no byte under landed/, quarantine/ or models/ changes.
 *
 * INCREMENTAL_RANDOM_SEEDS (comma-separated, default "766,4") runs other sequences; each seed is its
 * own describe with its own province. The default seeds fail when the plan leaves out the superseded
 * versions, narrows the periods by the spans' start only, drops the NSW portal copies' lookup, or
 * keeps a model whose quarantine or 766 input changed (each tried).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DuckDb, literal } from '../../functions/core/engine/duckdb.js';
import { ingestDropDir, land, transform, type TransformSummary } from '../../functions/core/pipeline.js';
import { generateDemo } from '../../functions/generator/index.js';
import { demoContext } from '../helpers/demo-lake.js';
import { modelHashes, transformAndCompare as compareWithFullRefresh } from './full-rebuild.js';

const SEEDS = (process.env.INCREMENTAL_RANDOM_SEEDS ?? '766,4').split(',').map(Number);
const STEPS = 10;
/** Months landed before the first step; the steps add the later ones. */
const HISTORY_TO = '2025-06';
const CRLF = '\r\n';

/** mulberry32: a small seeded PRNG, so a failing sequence can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 'dd/mm/yyyy HH:MM' (portal) or 'dd-mm-yyyy HH:MM:SS' (NSW) ⇄ epoch ms (UTC, the text's wall time). */
function parseStamp(s: string): number {
  const m = /^(\d{2})[/-](\d{2})[/-](\d{4}) (\d{2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (!m) throw new Error(`not a stamp: ${s}`);
  return Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
}
/** The parts of an epoch-ms stamp (its UTC wall time) as the exports write them. */
function stampParts(ms: number): { day: string; month: string; year: string; time: string; seconds: string } {
  const [date, time] = new Date(ms).toISOString().split('T') as [string, string];
  const [year, month, day] = date.split('-') as [string, string, string];
  return { day, month, year, time: time.slice(0, 5), seconds: time.slice(5, 8) };
}
function portalStamp(ms: number): string {
  const s = stampParts(ms);
  return `${s.day}/${s.month}/${s.year} ${s.time}`;
}
function nswStamp(ms: number): string {
  const s = stampParts(ms);
  return `${s.day}-${s.month}-${s.year} ${s.time}${s.seconds}`;
}
const DAY = 86_400_000;
/** No stamp after this (the landing refuses timestamps after tomorrow; the suite stays well before). */
const LATEST = Date.UTC(2026, 5, 30, 17, 0);

/** Portal CSV columns (docs/data-contracts.md §2.4) by position. */
const P = { id: 0, agency: 2, channel: 3, received: 4, due: 5, finished: 6, status: 7, supplement: 8, flags: [9, 10, 11, 12, 13, 14], updated: 15 } as const;
/** How a re-export may change a portal row (changePortalRow). */
const PORTAL_CHANGES = ['finish-moved', 'finish-moved', 'finished-earlier', 'reopened', 'finished', 'withdrawn', 'refused', 'due-moved', 'supplement', 'flag', 'channel', 'older', 'quarantined', 'receipt-moved'] as const;
type PortalChange = (typeof PORTAL_CHANGES)[number];
/** The changes a quiet step makes: those that move a dossier's span or its counts in the periods it spans. */
const QUIET_CHANGES: readonly PortalChange[] = ['finished-earlier', 'finished-earlier', 'finish-moved', 'finished', 'withdrawn', 'due-moved', 'flag'];
/** NSW CSV columns (§2.5) by position. */
const N = { id: 1, procedure: 2, agency: 4, received: 6, due: 7, completed: 8, status: 9, paid: 10, eResult: 11 } as const;

for (const seed of SEEDS) {
  describe(`incremental transform = full rebuild after a random sequence (seed ${seed})`, () => {
    const rand = prng(seed);
    const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const chance = (p: number): boolean => rand() < p;

    let root = '';
    let dataDir = '';
    let lakeDir = '';
    const ctx = () => demoContext(lakeDir, path.join(root, 'work'));
    /** What the province last sent for each export (drop-relative path → text): changes build on it. */
    const sent = new Map<string, string>();
    /** The months of data sent so far, and those still to come. */
    let months: string[] = [];
    let later: string[] = [];
    let fresh = 0;

    /** The generated exports of one month (portal and NSW), as drop-relative paths. */
    const exportsOf = (month: string): string[] => {
      const out: string[] = [];
      const portal = path.join('portal', 'dossiers', month.slice(0, 4), `${month}.csv`);
      if (readdirSync(path.join(dataDir, 'portal', 'dossiers', month.slice(0, 4))).includes(`${month}.csv`)) out.push(portal);
      for (const agency of readdirSync(path.join(dataDir, 'nsw')).sort()) {
        if (readdirSync(path.join(dataDir, 'nsw', agency)).includes(`${month}.csv`)) out.push(path.join('nsw', agency, `${month}.csv`));
      }
      return out;
    };

    /**
     * The reports a month closes, as drop-relative paths: its 766 answers (legacy and metrics), the
     * Biểu 06 workbook of the quarter it ends, the year's Biểu 06 and PAR workbooks in December.
     */
    const reportsOf = (month: string): string[] => {
      const [y, m] = [month.slice(0, 4), Number(month.slice(5, 7))];
      const names = [`score766/${month}.json`, `score766/${month}.metrics.json`];
      if (m % 3 === 0) names.push(`bieu06/bieu06_${y}_q${m / 3}.xlsx`);
      if (m === 12) names.push(`bieu06/bieu06_${y}.xlsx`, `par/par_${y}.xlsx`);
      return names.filter((n) => existsSync(path.join(dataDir, n)));
    };

    /** A drop directory with these files (drop-relative path → text or bytes). */
    const writeDrop = (name: string, files: ReadonlyMap<string, string | Buffer>): string => {
      const dir = path.join(root, 'drops', name);
      for (const [rel, text] of files) {
        mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        writeFileSync(path.join(dir, rel), text);
      }
      return dir;
    };

    /** One portal row changed as a vendor's re-export might change it (cells mutated in place). */
    const changePortalRow = (cells: string[], kinds: readonly PortalChange[] = PORTAL_CHANGES): string => {
      const received = parseStamp(cells[P.received]!);
      const finished = cells[P.finished] ? parseStamp(cells[P.finished]!) : undefined;
      const clamp = (ms: number): number => Math.min(Math.max(ms, received + 3_600_000), LATEST);
      const what = pick(kinds);
      switch (what) {
        case 'finish-moved':
          // Up to a year and a half later (across a year's end) or a few months earlier.
          cells[P.finished] = portalStamp(clamp((finished ?? received) + int(-120, 540) * DAY));
          cells[P.status] = 'DA_TRA_KET_QUA';
          break;
        case 'reopened':
          cells[P.finished] = '';
          cells[P.status] = 'DANG_XU_LY';
          break;
        case 'finished-earlier': {
          // Finished before its landed version says (or at all, if that one is pending), a month or more
          // earlier where the old span allows it: the periods only the old version reaches must be
          // recomputed too.
          const days = finished === undefined ? 200 : Math.round((finished - received) / DAY);
          cells[P.finished] = portalStamp(clamp(received + int(0, days > 35 ? days - 31 : days) * DAY - int(1, 600) * 60_000));
          cells[P.status] = 'DA_TRA_KET_QUA';
          break;
        }
        case 'finished':
          // Between its receipt and half a year after its old finish (earlier or later than that).
          cells[P.finished] = portalStamp(clamp(received + int(0, Math.round(((finished ?? received) - received) / DAY) + 180) * DAY));
          cells[P.status] = 'DA_TRA_KET_QUA';
          break;
        case 'withdrawn':
          cells[P.status] = 'DA_RUT';
          cells[P.finished] ||= portalStamp(clamp(received + int(1, 60) * DAY));
          break;
        case 'refused':
          cells[P.status] = 'TU_CHOI';
          cells[P.finished] ||= portalStamp(clamp(received + int(1, 60) * DAY));
          break;
        case 'due-moved':
          cells[P.due] = portalStamp(parseStamp(cells[P.due]!) + int(-12, 30) * DAY);
          break;
        case 'supplement':
          cells[P.supplement] = String(int(0, 12));
          break;
        case 'flag': {
          const k = pick(P.flags);
          cells[k] = cells[k] === 'Có' ? 'Không' : 'Có';
          break;
        }
        case 'channel':
          cells[P.channel] = String(pick([1, 2, 3]));
          break;
        case 'older':
          // A version older than the landed one: it loses, and goes to the ledger of superseded rows.
          cells[P.finished] = portalStamp(clamp((finished ?? received) + int(1, 90) * DAY));
          cells[P.status] = 'DA_TRA_KET_QUA';
          cells[P.updated] = portalStamp(parseStamp(cells[P.updated]!) - int(1, 20) * DAY);
          return what;
        case 'quarantined':
          // An agency the registry does not hold: the row is quarantined, its dossier keeps its landed version.
          cells[P.agency] = 'H99.98';
          break;
        case 'receipt-moved':
          // Received in another month: quarantined too (a dossier id lives in one partition of the lake).
          cells[P.received] = portalStamp(received - int(32, 70) * DAY);
          break;
      }
      // A newer version than every one before (the winner is the latest updated_at).
      const after = Math.max(parseStamp(cells[P.updated]!), cells[P.finished] ? parseStamp(cells[P.finished]!) : 0);
      cells[P.updated] = portalStamp(Math.min(after + int(0, 20) * DAY + int(1, 600) * 60_000, LATEST));
      return what;
    };

    /** One NSW row changed (no updated_at in NSW exports: the later file wins). */
    const changeNswRow = (cells: string[]): string => {
      const what = pick(['completed-moved', 'reopened', 'due-moved', 'paid', 'e-result'] as const);
      switch (what) {
        case 'completed-moved':
          if (cells[N.completed]) cells[N.completed] = nswStamp(Math.min(parseStamp(cells[N.completed]!) + int(-3, 400) * DAY, LATEST));
          break;
        case 'reopened':
          cells[N.completed] = '';
          cells[N.status] = 'Đang xử lý';
          break;
        case 'due-moved':
          cells[N.due] = nswStamp(parseStamp(cells[N.due]!) + int(-5, 40) * DAY);
          break;
        case 'paid':
          cells[N.paid] = cells[N.paid] === 'x' ? '' : 'x';
          break;
        case 'e-result':
          cells[N.eResult] = cells[N.eResult] === 'x' ? '' : 'x';
          break;
      }
      return what;
    };

    /**
     * `rel`'s text as last sent, with `k` rows changed and `add` new dossiers (a portal file): the whole
     * export again, and the delta (its header and the changed and new rows only, as a system that
     * exports what changed since the last export sends it).
     */
    const reexport = (rel: string, k: number, add: number, log: string[], kinds?: readonly PortalChange[], row?: number): { whole: string; delta: string } => {
      const nsw = rel.startsWith('nsw');
      const sep = nsw ? ';' : ',';
      const lines = sent.get(rel)!.split(CRLF);
      const rows = lines.map((l, i) => ({ l, i })).filter(({ l, i }) => i > 0 && l.length > 0);
      const touched = new Set<number>();
      for (let j = 0; j < k && rows.length > 0; j++) {
        const { i } = row !== undefined && j === 0 ? { i: row } : pick(rows);
        const cells = lines[i]!.split(sep);
        log.push(`${rel}:${i} ${nsw ? changeNswRow(cells) : changePortalRow(cells, kinds)}`);
        lines[i] = cells.join(sep);
        touched.add(i);
      }
      for (let j = 0; j < add && !nsw && rows.length > 0; j++) {
        // A dossier the last export did not hold (received in the same month, late to the portal).
        const cells = lines[pick(rows).i]!.split(sep);
        const received = parseStamp(cells[P.received]!);
        const yymmdd = new Date(received).toISOString().slice(2, 10).replaceAll('-', '');
        cells[P.id] = `${cells[P.agency]}-${yymmdd}-9${String(++fresh).padStart(5, '0')}`;
        if (chance(0.5)) {
          cells[P.finished] = '';
          cells[P.status] = 'DANG_XU_LY';
        }
        cells[P.updated] = portalStamp(Math.min(received + int(0, 300) * DAY, LATEST));
        // Before the final line break: no changed row moves.
        const at = lines.length - (lines.at(-1) === '' ? 1 : 0);
        lines.splice(at, 0, cells.join(sep));
        touched.add(at);
        log.push(`${rel} new ${cells[P.id]}${cells[P.finished] ? '' : ' (pending)'}`);
      }
      const delta = [lines[0]!, ...[...touched].sort((a, b) => a - b).map((i) => lines[i]!), ''];
      return { whole: lines.join(CRLF), delta: delta.join(CRLF) };
    };

    /** What the sequence did, so it cannot pass by doing nothing (the last test). */
    const seen = { quarantined: 0, superseded: 0, stepsChangingMarts: 0 };

    async function landDrop(dir: string): Promise<void> {
      await ingestDropDir(ctx(), { dir, include: ['registry-agencies', 'registry-procedures', 'portal-csv', 'nsw-csv', 'score766-legacy', 'score766-metrics', 'bieu06-xlsx', 'par-xlsx'] });
      const s = await land(ctx());
      // Nothing lost: every row read is landed or quarantined, file by file.
      for (const f of s.files) expect(f.rows_read, f.original_name).toBe(f.rows_landed + f.rows_quarantined);
      seen.quarantined += s.rowsQuarantined;
    }

    /** The marts' files (name → sha256). */
    const marts = (): string => JSON.stringify(Object.entries(modelHashes(lakeDir)).filter(([f]) => f.startsWith(path.join('models', 'marts'))));

    /** The transform, then a --full-refresh of a copy: every model file must agree. */
    const transformAndCompare = (step: string, log: readonly string[]): Promise<TransformSummary> =>
      compareWithFullRefresh(lakeDir, root, step, `seed ${seed}, ${step} (${log.join('; ')})`);

    beforeAll(async () => {
      root = mkdtempSync(path.join(tmpdir(), `incremental-random-${seed}-`));
      dataDir = path.join(root, 'data');
      lakeDir = path.join(root, 'lake');
      await generateDemo({ outDir: dataDir, dossiers: 1200, fromYear: 2024, toYear: 2025, seed });
      const all = readdirSync(path.join(dataDir, 'portal', 'dossiers')).flatMap((y) => readdirSync(path.join(dataDir, 'portal', 'dossiers', y)).map((f) => f.slice(0, 7))).sort();
      months = all.filter((m) => m <= HISTORY_TO);
      later = all.filter((m) => m > HISTORY_TO);
    }, 120_000);

    afterAll(() => {
      if (root) rmSync(root, { recursive: true, force: true });
    });

    test('should build the history in full', async () => {
      for (const rel of ['registry/agencies.csv', 'registry/procedures.csv', ...months.flatMap(exportsOf)]) sent.set(rel, readFileSync(path.join(dataDir, rel), 'utf8'));
      const files = new Map<string, string | Buffer>(sent);
      for (const rel of months.flatMap(reportsOf)) files.set(rel, readFileSync(path.join(dataDir, rel)));
      await landDrop(writeDrop('history', files));
      const s = await transformAndCompare('history', ['history']);
      expect(s.incremental.mode).toBe('full');
    }, 120_000);

    // The step that corrects the registry (a full run); every other step must run incrementally.
    const registryStep = 3 + (seed % (STEPS - 4));
    /**
     * A quiet step: one dossier changed, sent alone — nothing else widens what the run must recompute,
     * so a period the change reaches and the plan misses shows.
     */
    const quietStep = (files: Map<string, string | Buffer>, log: string[]): void => {
      // Most often a dossier whose span is long (pending, or finished over a month after its
      // receipt): a change to it can leave periods only its old version reaches.
      const long = months
        .flatMap(exportsOf)
        .filter((r) => r.startsWith('portal'))
        .flatMap((r) =>
          sent
            .get(r)!
            .split(CRLF)
            .flatMap((l, i) => {
              const c = l.split(',');
              if (i === 0 || c.length <= P.updated || c[P.agency] === 'H99.98') return [];
              return !c[P.finished] || parseStamp(c[P.finished]!) - parseStamp(c[P.received]!) > 35 * DAY ? [{ r, i }] : [];
            }),
        );
      const target = long.length > 0 && chance(0.7) ? pick(long) : { r: pick(months.flatMap(exportsOf).filter((r) => r.startsWith('portal'))), i: undefined };
      const rel = target.r;
      const { whole, delta } = reexport(rel, 1, 0, log, QUIET_CHANGES, target.i);
      sent.set(rel, whole);
      files.set(path.join('portal', 'dossiers', 'delta', path.basename(rel)), delta);
    };

    /** A busy step: what a province's month may bring (see the file's comment). */
    const busyStep = (step: number, files: Map<string, string | Buffer>, log: string[]): void => {
      const send = (rel: string, text: string): void => {
        files.set(rel, text);
        sent.set(rel, text);
      };
      if (step === registryStep) {
        // A unit's name corrected: every period's scaffold depends on the registry.
        const text = sent.get('registry/agencies.csv')!;
        const lines = text.split(CRLF);
        const k = int(2, lines.filter((l) => l.length > 0).length - 1);
        const cells = lines[k]!.split(',');
        cells[1] = `${cells[1]} (đã đính chính ${step})`;
        lines[k] = cells.join(',');
        send('registry/agencies.csv', lines.join(CRLF));
        log.push(`registry: ${cells[0]} renamed`);
      }
      // The next month, most steps.
      if (later.length > 0 && chance(0.6)) {
        const month = later.shift()!;
        months.push(month);
        for (const rel of exportsOf(month)) send(rel, readFileSync(path.join(dataDir, rel), 'utf8'));
        // Its 766 answers and the workbooks it closes (datasets the dossier models do not read).
        for (const rel of reportsOf(month)) files.set(rel, readFileSync(path.join(dataDir, rel)));
        log.push(`month ${month} (${reportsOf(month).length} reports)`);
      }
      // Portal months of any age with changes, sometimes a new dossier: the whole month again, or only
      // what changed (beside the month's file, in a folder of its own).
      for (let j = int(step === registryStep ? 0 : 1, 3); j > 0; j--) {
        const rel = pick(months.flatMap(exportsOf).filter((r) => r.startsWith('portal')));
        const { whole, delta } = reexport(rel, int(1, 4), chance(0.3) ? 1 : 0, log);
        sent.set(rel, whole);
        if (chance(0.5)) files.set(rel, whole);
        else {
          files.set(path.join('portal', 'dossiers', `delta-${j}`, path.basename(rel)), delta);
          log.push('(as a delta)');
        }
      }
      // An NSW export with changes: the whole file again, or its changed rows only.
      if (chance(0.5)) {
        const nsw = months.flatMap(exportsOf).filter((r) => r.startsWith('nsw') && !files.has(r) && sent.get(r)!.split(CRLF).filter((l) => l.length > 0).length > 1);
        if (nsw.length > 0) {
          const rel = pick(nsw);
          const { whole, delta } = reexport(rel, int(1, 2), 0, log);
          sent.set(rel, whole);
          files.set(rel, chance(0.5) ? whole : delta);
        }
      }
      // The portal's copy of an NSW dossier whose NSW export has not come yet (docs/data-contracts.md
      // §4.6): it counts as a portal dossier — pending, received a few weeks before the NSW has it —
      // until the NSW row arrives with its month and hides it.
      const ahead = later.flatMap(exportsOf).filter((r) => r.startsWith('nsw'));
      if (ahead.length > 0 && chance(0.5)) {
        const rel = pick(ahead);
        const rows = readFileSync(path.join(dataDir, rel), 'utf8').split(CRLF).slice(1).filter((l) => l.length > 0);
        if (rows.length > 0) {
          const nsw = pick(rows).split(';');
          const received = Math.max(parseStamp(nsw[N.received]!) - int(0, 60) * DAY, Date.UTC(2024, 0, 1, 8, 0));
          const month = new Date(received).toISOString().slice(0, 7);
          const header = [...sent].find(([r]) => r.startsWith('portal'))![1].split(CRLF)[0]!;
          const copy = [nsw[N.id]!, nsw[N.procedure]!, nsw[N.agency]!, '2', portalStamp(received), portalStamp(received + 10 * DAY), '', 'DANG_XU_LY', '0', 'Không', 'Không', 'Có', 'Không', 'Có', 'Không', portalStamp(received)];
          files.set(path.join('portal', 'dossiers', `copies-${step}`, `${month}.csv`), [header, copy.join(','), ''].join(CRLF));
          log.push(`portal copy of NSW ${nsw[N.id]} (${rel}) received ${month}`);
        }
      }
      // A file sent again, unchanged: nothing new lands from it.
      if (chance(0.3)) {
        const rel = pick([...sent.keys()].filter((r) => !files.has(r) && !r.startsWith('registry')));
        files.set(rel, sent.get(rel)!);
        log.push(`${rel} sent again`);
      }
    };

    for (let step = 1; step <= STEPS; step++) {
      test(`step ${step}`, async () => {
        const files = new Map<string, string | Buffer>();
        const log: string[] = [];
        const quiet = step !== registryStep && chance(0.4);
        if (quiet) quietStep(files, log);
        else busyStep(step, files, log);
        if (process.env.INCREMENTAL_RANDOM_LOG) console.log(`seed ${seed} step ${step}${quiet ? ' (quiet)' : ''}: ${log.join('; ')}`);
        const before = marts();
        await landDrop(writeDrop(`step-${step}`, files));
        const s = await transformAndCompare(`step ${step}`, log);
        if (marts() !== before) seen.stepsChangingMarts++;
        expect(s.incremental.mode, log.join('; ')).toBe(step === registryStep ? 'full' : 'incremental');
      }, 180_000);
    }

    test('the sequence changed the marts, quarantined rows and superseded versions', async () => {
      // Versions that lost (an older re-export, or the version a newer one replaced) are in the ledger.
      const db = await DuckDb.open();
      try {
        seen.superseded = await db.scalarNumber(`SELECT count(*) FROM read_parquet(${literal(path.join(lakeDir, 'landed', '_superseded', 'dossiers', '**', '*.parquet'))})`);
      } finally {
        db.close();
      }
      if (process.env.INCREMENTAL_RANDOM_LOG) console.log(`seed ${seed}: ${JSON.stringify(seen)}`);
      // A quiet step's one change may change no mart (a version that loses, a flag no mart counts).
      expect(seen.stepsChangingMarts).toBeGreaterThanOrEqual(STEPS / 2);
      expect(seen.quarantined).toBeGreaterThan(0);
      expect(seen.superseded).toBeGreaterThan(0);
    });

    test('every drop of the sequence sent again changes nothing: the landed files and the models keep their bytes', async () => {
      const bytes = (): Record<string, string> => ({ ...modelHashes(lakeDir, 'landed'), ...modelHashes(lakeDir, 'quarantine'), ...modelHashes(lakeDir, 'models') });
      const before = bytes();
      const drops = readdirSync(path.join(root, 'drops')).sort((a, b) => (a === 'history' ? -1 : b === 'history' ? 1 : Number(a.slice(5)) - Number(b.slice(5))));
      expect(drops).toHaveLength(STEPS + 1);
      for (const d of drops) await landDrop(path.join(root, 'drops', d));
      const s = await transform(ctx());
      expect(s.incremental).toMatchObject({ mode: 'incremental', reason: '0 new dossier file(s)' });
      expect(bytes()).toEqual(before);
    }, 180_000);
  });
}
