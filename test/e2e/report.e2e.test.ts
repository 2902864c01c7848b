/**
 * The monthly report pack, end to end on a small demo lake (generated, pulled through the loopback
 * portal, landed, transformed and snapshotted by the real pipeline): every figure read back from
 * the DOCX (word/document.xml) and the PDF (pdftotext) equals the snapshot's value formatted vi-VN,
 * the Biểu 06 XLSX round-trips through readBieu06Xlsx, builds are byte-identical, a published pack
 * is never rewritten, and a month without a snapshot is a clear error. Page 1 and the agency table
 * are rendered to PNG under test-output/report/ for a person to look at.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, test } from 'vitest';
import { literal, withDuckDb, type JsonRow } from '../../functions/core/engine/duckdb.js';
import { sha256 } from '../../functions/core/lake/raw.js';
import { readBieu06Xlsx } from '../../functions/core/readers/xlsx/bieu06.js';
import { buildPackFiles, buildReportPack, listReportPacks, loadReportData, REPORT_FONT_FILES, reportFontsDir } from '../../functions/core/report/index.js';
import { LocalStorage } from '../../functions/core/storage/local.js';
import { formatViNumber } from '../../functions/core/vi/index.js';
import { buildDemoLake, REPO } from '../helpers/demo-lake.js';

const ROOT = path.join(REPO, 'test-output', 'report-lake');
const OUT = path.join(REPO, 'test-output', 'report');
const PERIOD = '2025-06';
let lakeDir = '';
let packDir = '';

/** The entries of a zip file (stored or deflated), by name. */
function unzip(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  let p = buf.readUInt32LE(eocd + 16);
  for (let i = 0; i < buf.readUInt16LE(eocd + 10); i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const local = buf.readUInt32LE(p + 42);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(start, start + size);
    out.set(name, method === 0 ? Buffer.from(data) : inflateRawSync(data));
    p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return out;
}

const unxml = (s: string): string => s.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&apos;', "'").replaceAll('&amp;', '&');
const texts = (xml: string): string => [...xml.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => unxml(m[1] ?? '')).join('');
/** Tables of document.xml as rows of cell texts (footnote references are not text). */
function docxTables(xml: string): string[][][] {
  return [...xml.matchAll(/<w:tbl>([\s\S]*?)<\/w:tbl>/g)].map((t) =>
    [...(t[1] ?? '').matchAll(/<w:tr[ >]([\s\S]*?)<\/w:tr>/g)].map((r) => [...(r[1] ?? '').matchAll(/<w:tc>([\s\S]*?)<\/w:tc>/g)].map((c) => texts(c[1] ?? ''))),
  );
}

// Independent vi-VN formatting of the snapshot's values (what the report must print).
const n0 = (v: unknown): string => formatViNumber(Number(v));
const rate = (v: unknown): string => (v === null ? '–' : `${formatViNumber(Number(v) * 100, 2)}%`);

async function snapshotRows(sql: string, params: Record<string, string | number> = {}): Promise<JsonRow[]> {
  return withDuckDb((db) => db.all(sql.replaceAll(/\{(\w+)\}/g, (_, m: string) => `read_parquet(${literal(path.join(lakeDir, 'snapshots', PERIOD, `${m}.parquet`))})`), params));
}

const agencySql = `SELECT * FROM {agency_periods} WHERE period_type = $t AND year = 2025 AND period_no = $n ORDER BY agency_code`;

beforeAll(async () => {
  const lake = await buildDemoLake(ROOT, { dossiers: 4_000, snapshots: [PERIOD] });
  lakeDir = lake.lakeDir;
  const s = await buildReportPack(new LocalStorage(lakeDir), { period: PERIOD, workDir: path.join(ROOT, 'work') });
  expect(s.published).toBe(true);
  packDir = path.join(lakeDir, 'reports', PERIOD);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
}, 300_000);

describe('report pack of a month with a snapshot', () => {
  test('should write the DOCX, the PDF, both Biểu 06 workbooks and a manifest naming the snapshot', () => {
    const manifest = JSON.parse(readFileSync(path.join(packDir, 'manifest.json'), 'utf8'));
    expect(manifest.files.map((f: { name: string }) => f.name)).toEqual(['bao-cao-2025-06.docx', 'bao-cao-2025-06.pdf', 'bieu06-2025-06.xlsx', 'bieu06-2025-q2.xlsx', 'bieu06-2025-h1.xlsx']);
    for (const f of manifest.files) {
      const body = readFileSync(path.join(packDir, f.name));
      expect(f.bytes).toBe(body.length);
      expect(f.sha256).toBe(sha256(body));
    }
    const snap = readFileSync(path.join(lakeDir, 'snapshots', PERIOD, 'manifest.json'));
    expect(manifest.snapshot).toMatchObject({ period: PERIOD, as_of: '2025-06-30', manifest_sha256: sha256(snap) });
  });

  test('should print every agency figure of the month in the DOCX agency table, vi-VN formatted', async () => {
    const entries = unzip(readFileSync(path.join(packDir, 'bao-cao-2025-06.docx')));
    const xml = entries.get('word/document.xml')!.toString('utf8');
    const agencyTable = docxTables(xml).find((t) => t[0]?.[1] === 'Cơ quan, đơn vị' && t[0]?.[2] === 'Tiếp nhận');
    expect(agencyTable).toBeDefined();
    const rows = await snapshotRows(agencySql, { t: 'month', n: 6 });
    expect(rows.length).toBeGreaterThan(5);
    const body = agencyTable!.slice(1);
    expect(body).toHaveLength(rows.length + 1); // + Toàn tỉnh
    rows.forEach((r, i) => {
      expect(body[i]!.slice(0, 12)).toEqual([
        String(i + 1),
        r.agency_name,
        n0(r.received_total),
        n0(r.resolved_total),
        n0(r.resolved_early),
        n0(r.resolved_on_time),
        n0(r.resolved_late),
        rate(r.on_time_rate),
        n0(r.pending_overdue),
        rate(r.online_rate),
        rate(r.online_payment_rate),
        rate(r.digitised_rate),
      ]);
    });
    const [prov] = await snapshotRows('SELECT * FROM {province_months} WHERE year = 2025 AND month = 6');
    expect(body.at(-1)!.slice(1, 12)).toEqual(['Toàn tỉnh', n0(prov!.received_total), n0(prov!.resolved_total), n0(prov!.resolved_early), n0(prov!.resolved_on_time), n0(prov!.resolved_late), rate(prov!.on_time_rate), n0(prov!.pending_overdue), rate(prov!.online_rate), rate(prov!.online_payment_rate), rate(prov!.digitised_rate)]);
  });

  test('should name each late procedure by the unit holding it at the month end, and print no English', async () => {
    const xml = unzip(readFileSync(path.join(packDir, 'bao-cao-2025-06.docx'))).get('word/document.xml')!.toString('utf8');
    const late = docxTables(xml).find((t) => t[0]?.[1] === 'Thủ tục hành chính' && t[0]?.[2] === 'Cơ quan');
    expect(late).toBeDefined();
    const units = late!.slice(1).map((r) => r[2]);
    expect(units.length).toBeGreaterThan(0);
    // Units of 30/6/2025 only: a procedure of a unit merged on 01/3/2025 is named under its successor.
    const valid = new Set((await snapshotRows(`SELECT agency_name FROM {agencies} WHERE valid_to IS NULL OR valid_to >= DATE '2025-06-30'`)).map((r) => String(r.agency_name)));
    const ended = (await snapshotRows(`SELECT agency_name FROM {agencies} WHERE valid_to < DATE '2025-06-30'`)).map((r) => String(r.agency_name)).filter((n) => !valid.has(n));
    expect(units.filter((u) => !valid.has(String(u)))).toEqual([]);
    expect(units.filter((u) => ended.includes(String(u)))).toEqual([]);
    const all = texts(xml);
    expect(all).not.toMatch(/PAR INDEX|synthetic/i);
  });

  test("should give the province's first six months in June, from the snapshot's province_years, in the DOCX and the PDF", async () => {
    const [ytd] = await snapshotRows('SELECT * FROM {province_years} WHERE year = 2025');
    // The June snapshot's running year is 01/01–30/6/2025, and differs from the month's figures.
    expect(String(ytd!.period_start).slice(0, 10)).toBe('2025-01-01');
    const [june] = await snapshotRows('SELECT * FROM {province_months} WHERE year = 2025 AND month = 6');
    expect(Number(ytd!.received_total)).toBeGreaterThan(Number(june!.received_total));
    const sentence =
      `Lũy kế 6 tháng đầu năm 2025 (từ ngày 1/1/2025 đến hết ngày 30/6/2025), các cơ quan, đơn vị tiếp nhận ${n0(ytd!.received_total)} hồ sơ ` +
      `(${n0(ytd!.received_new)} hồ sơ mới, ${n0(ytd!.received_carried_over)} hồ sơ từ năm trước chuyển sang), trong đó ${n0(ytd!.received_online)} hồ sơ trực tuyến ` +
      `(${rate(ytd!.online_rate)} số hồ sơ mới). Đã giải quyết ${n0(ytd!.resolved_total)} hồ sơ: trước hạn ${n0(ytd!.resolved_early)}, ` +
      `đúng hạn ${n0(ytd!.resolved_on_time)}, quá hạn ${n0(ytd!.resolved_late)}; tỷ lệ giải quyết đúng hạn ${rate(ytd!.on_time_rate)}.`;
    // The flows of the year to date are the sums of its months (c6 and the pending counts are states, not sums).
    const flows = ['received_new', 'resolved_total', 'resolved_early', 'resolved_on_time', 'resolved_late'];
    const [sum25] = await snapshotRows(`SELECT ${flows.map((f) => `sum(${f}) AS ${f}`).join(', ')} FROM {province_months} WHERE year = 2025 AND month <= 6`);
    expect(flows.map((f) => Number(sum25![f]))).toEqual(flows.map((f) => Number(ytd![f])));
    // Against the same six months of 2024, summed from province_months.
    const [ly] = await snapshotRows(`SELECT count(*) AS n, ${flows.map((f) => `sum(${f}) AS ${f}`).join(', ')} FROM {province_months} WHERE year = 2024 AND month <= 6`);
    expect(Number(ly!.n)).toBe(6);
    const vs = (f: string): string => {
      const d = Number(ytd![f]) - Number(ly![f]);
      return `${n0(ytd![f])} (cùng kỳ ${n0(ly![f])}, ${d > 0 ? '+' : ''}${n0(d)})`;
    };
    const lyRate = (Number(ly!.resolved_early) + Number(ly!.resolved_on_time)) / Number(ly!.resolved_total);
    const points = Math.round((Number(ytd!.on_time_rate) - lyRate) * 10000) / 100;
    const versus =
      `So với cùng kỳ năm 2024 (từ ngày 1/1/2024 đến hết ngày 30/6/2024): hồ sơ mới tiếp nhận ${vs('received_new')}, đã giải quyết ${vs('resolved_total')}, ` +
      `quá hạn ${vs('resolved_late')}; tỷ lệ giải quyết đúng hạn ${rate(ytd!.on_time_rate)} (cùng kỳ ${rate(lyRate)}, ${points > 0 ? '+' : ''}${formatViNumber(points, 2)} điểm %).`;
    const xml = unzip(readFileSync(path.join(packDir, 'bao-cao-2025-06.docx'))).get('word/document.xml')!.toString('utf8');
    expect(texts(xml)).toContain(sentence);
    expect(texts(xml)).toContain(versus);
    expect(texts(xml)).toContain('báo cáo tình hình giải quyết thủ tục hành chính tháng 6 và 6 tháng đầu năm 2025 trên địa bàn tỉnh');
    const raw = execFileSync('pdftotext', ['-enc', 'UTF-8', path.join(packDir, 'bao-cao-2025-06.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(raw).toContain(sentence);
  });

  test('should compare the province with the month before and the same month a year before in the DOCX', async () => {
    const xml = unzip(readFileSync(path.join(packDir, 'bao-cao-2025-06.docx'))).get('word/document.xml')!.toString('utf8');
    const table = docxTables(xml).find((t) => t[0]?.[0] === 'Chỉ tiêu')!;
    const [cur, prev, ly] = await Promise.all([6, 5].map((m) => snapshotRows('SELECT * FROM {province_months} WHERE year = 2025 AND month = $m', { m }).then((r) => r[0]!)).concat(snapshotRows('SELECT * FROM {province_months} WHERE year = 2024 AND month = 6').then((r) => r[0]!)));
    const diff = (a: unknown, b: unknown): string => {
      const d = Number(a) - Number(b);
      return d > 0 ? `+${formatViNumber(d)}` : formatViNumber(d);
    };
    expect(table[0]).toEqual(['Chỉ tiêu', 'Tháng 6/2025', 'Tháng 5/2025', 'Tăng/giảm', 'Tháng 6/2024', 'Tăng/giảm']);
    expect(table.find((r) => r[0] === 'Hồ sơ tiếp nhận')).toEqual(['Hồ sơ tiếp nhận', n0(cur!.received_total), n0(prev!.received_total), diff(cur!.received_total, prev!.received_total), n0(ly!.received_total), diff(cur!.received_total, ly!.received_total)]);
    expect(table.find((r) => r[0] === 'Tỷ lệ đúng hạn')?.slice(0, 3)).toEqual(['Tỷ lệ đúng hạn', rate(cur!.on_time_rate), rate(prev!.on_time_rate)]);
  });

  test('should name the month in the DOCX and PDF properties as Vietnamese writes it ("tháng 6/2025", not "2025-06")', () => {
    const core = unzip(readFileSync(path.join(packDir, 'bao-cao-2025-06.docx'))).get('docProps/core.xml')!.toString('utf8');
    expect(core).toContain('<dc:title>BÁO CÁO Tình hình giải quyết thủ tục hành chính tháng 6 và 6 tháng đầu năm 2025</dc:title>');
    expect(core).toContain('<dc:subject>Báo cáo tháng 6/2025</dc:subject>');
    expect(core).toContain('<dc:description>Dự thảo báo cáo tháng 6/2025, lập từ số liệu chốt tháng 6/2025</dc:description>');
    const info = execFileSync('pdfinfo', ['-enc', 'UTF-8', path.join(packDir, 'bao-cao-2025-06.pdf')], { encoding: 'utf8' });
    expect(info).toMatch(/^Subject:\s+Báo cáo tháng 6\/2025$/m);
  });

  test('should lay the DOCX out as Nghị định 30: A4, its margins, Times New Roman 13–14 pt, Word headings, issuing body and motto', () => {
    const entries = unzip(readFileSync(path.join(packDir, 'bao-cao-2025-06.docx')));
    const xml = entries.get('word/document.xml')!.toString('utf8');
    const styles = entries.get('word/styles.xml')!.toString('utf8');
    // A4 portrait 11906 × 16838 twips; top/bottom 20 mm, left 30 mm, right 15 mm.
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838" w:orient="portrait"\/>/);
    expect(xml).toMatch(/<w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701"/);
    expect(xml).toMatch(/<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"\/>/); // the agency table's section
    expect(styles).toMatch(/w:ascii="Times New Roman"/);
    expect(styles).toMatch(/<w:docDefaults>[\s\S]*<w:sz w:val="28"\/>/);
    expect(xml).toContain('<w:pStyle w:val="Heading1"/>');
    expect(xml).toContain('<w:pStyle w:val="Heading2"/>');
    const all = texts(xml);
    for (const s of ['UBND TỈNH SÔNG XANH', 'SỞ NỘI VỤ', 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'BÁO CÁO', 'Tình hình giải quyết thủ tục hành chính tháng 6 và 6 tháng đầu năm 2025', 'Nơi nhận:', 'Số:']) {
      expect(all).toContain(s);
    }
    // Units changed by the 2025 mergers carry real Word footnotes.
    expect(xml).toContain('<w:footnoteReference w:id="1"/>');
    expect(entries.get('word/footnotes.xml')!.toString('utf8')).toContain('sắp xếp tổ chức bộ máy năm 2025');
  });

  test('should give back every agency figure and name, diacritics exact, from the PDF text', async () => {
    const pdf = path.join(packDir, 'bao-cao-2025-06.pdf');
    const layout = execFileSync('pdftotext', ['-layout', '-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' });
    const raw = execFileSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    const rows = await snapshotRows(agencySql, { t: 'month', n: 6 });
    rows.forEach((r, i) => {
      expect(raw).toContain(String(r.agency_name));
      const cells = [n0(r.received_total), n0(r.resolved_total), n0(r.resolved_early), n0(r.resolved_on_time), n0(r.resolved_late), rate(r.on_time_rate), n0(r.pending_overdue), rate(r.online_rate), rate(r.online_payment_rate), rate(r.digitised_rate)];
      const esc = cells.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('\\s+');
      expect(layout, `row ${i + 1} ${String(r.agency_name)}`).toMatch(new RegExp(`^\\s*${i + 1}\\s.*?\\s${esc}\\s+(\\d+|–)\\s*$`, 'mu'));
    });
    for (const s of ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc', 'Tình hình giải quyết thủ tục hành chính tháng 6 và 6 tháng đầu năm 2025', 'Nơi nhận:', 'Biểu đồ 1.', 'Biểu đồ 2.']) {
      expect(raw).toContain(s);
    }
    const fonts = execFileSync('pdffonts', [pdf], { encoding: 'utf8' }).trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThanOrEqual(3);
    for (const line of fonts) expect(line).toMatch(/DejaVuSerif\S*\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes/);
  });

  test('should embed fonts that hold every Vietnamese letter with its tones (ư ơ ă đ ê ô × 5 tones)', () => {
    const fontkit = createRequire(import.meta.url)('fontkit') as { openSync(p: string): { hasGlyphForCodePoint(c: number): boolean } };
    const letters = 'aăâeêioôơuưyAĂÂEÊIOÔƠUƯY'.normalize('NFC');
    const tones = ['\u0300', '\u0301', '\u0309', '\u0303', '\u0323'];
    const all = [...letters, ...[...letters].flatMap((l) => tones.map((t) => (l + t).normalize('NFC'))), 'đ', 'Đ'];
    expect(all.every((c) => c.length === 1)).toBe(true); // every form is precomposed
    for (const file of Object.values(REPORT_FONT_FILES)) {
      const font = fontkit.openSync(path.join(reportFontsDir(), file));
      const missing = all.filter((c) => !font.hasGlyphForCodePoint(c.codePointAt(0)!));
      expect(missing, file).toEqual([]);
    }
  });

  test('should write Biểu 06 workbooks that the Biểu 06 reader reads back equal to agency_periods, cell for cell', async () => {
    for (const [file, t, n] of [['bieu06-2025-06.xlsx', 'month', 6], ['bieu06-2025-q2.xlsx', 'quarter', 2], ['bieu06-2025-h1.xlsx', 'half', 1]] as const) {
      const read = await readBieu06Xlsx(path.join(packDir, file));
      expect(read.quarantine).toEqual([]);
      expect(read.checks).toEqual([]);
      const rows = await snapshotRows(agencySql, { t, n });
      const key = (r: { unit_name?: unknown; agency_name?: unknown }) => String(r.unit_name ?? r.agency_name);
      const cols = ['received_total', 'received_online', 'received_offline', 'received_carried_over', 'resolved_total', 'resolved_early', 'resolved_on_time', 'resolved_late', 'pending_total', 'pending_in_time', 'pending_overdue'] as const;
      const got = read.rows.map((r) => [key(r), r.period_type, r.year, r.period_no, r.period_start, r.period_end, ...cols.map((c) => r[c])]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      const want = rows.map((r) => [key(r), r.period_type, r.year, r.period_no, r.period_start, r.period_end, ...cols.map((c) => Number(r[c]))]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      expect(got).toEqual(want);
      expect(read.totals?.counts.received_total).toBe(rows.reduce((s, r) => s + Number(r.received_total), 0));
      expect(new Set(read.rows.map((r) => r.band))).toEqual(new Set(['Sở, ban, ngành', 'Chi cục']));
    }
  });

  test('should build byte-identical files from the same snapshot', async () => {
    const storage = new LocalStorage(lakeDir);
    const again = await buildPackFiles(await loadReportData(storage, { period: PERIOD, workDir: path.join(ROOT, 'work2') }), { workDir: path.join(ROOT, 'work2') });
    for (const f of again) expect(sha256(f.body), f.name).toBe(sha256(readFileSync(path.join(packDir, f.name))));
  });

  test('should never rewrite a published pack, and write a new revision beside it with force', async () => {
    const storage = new LocalStorage(lakeDir);
    const before = statSync(path.join(packDir, 'bao-cao-2025-06.pdf')).mtimeMs;
    const rerun = await buildReportPack(storage, { period: PERIOD, workDir: path.join(ROOT, 'work') });
    expect(rerun).toMatchObject({ published: false, revision: 1, prefix: 'reports/2025-06/' });
    expect(statSync(path.join(packDir, 'bao-cao-2025-06.pdf')).mtimeMs).toBe(before);
    const forced = await buildReportPack(storage, { period: PERIOD, workDir: path.join(ROOT, 'work'), force: true });
    expect(forced).toMatchObject({ published: true, revision: 2, prefix: 'reports/2025-06-r2/' });
    expect(forced.files.map((f) => f.name)).toContain('bao-cao-2025-06-r2.pdf');
    expect(statSync(path.join(packDir, 'bao-cao-2025-06.pdf')).mtimeMs).toBe(before);
    expect((await listReportPacks(storage)).map((p) => p.prefix)).toEqual(['reports/2025-06-r2/', 'reports/2025-06/']);
  });

  test('should render page 1 and the agency table to PNG for a person to look at', () => {
    const pdf = path.join(packDir, 'bao-cao-2025-06.pdf');
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
    let tablePage = 0;
    for (let p = 1; p <= pages && !tablePage; p++) {
      if (execFileSync('pdftotext', ['-f', String(p), '-l', String(p), pdf, '-'], { encoding: 'utf8' }).includes('Bảng 2.')) tablePage = p;
    }
    expect(tablePage).toBeGreaterThan(1);
    execFileSync('pdftoppm', ['-r', '110', '-png', '-singlefile', '-f', '1', '-l', '1', pdf, path.join(OUT, 'page-1')]);
    execFileSync('pdftoppm', ['-r', '110', '-png', '-singlefile', '-f', String(tablePage), '-l', String(tablePage), pdf, path.join(OUT, 'agency-table')]);
    for (const f of ['page-1.png', 'agency-table.png']) expect(statSync(path.join(OUT, f)).size).toBeGreaterThan(10_000);
  });
});

describe('report data of a lake holding a second province (before and after a merger of provinces)', () => {
  /** A copy of the month's snapshot with every unit, month and procedure of H99 copied as province H98 (names marked). */
  async function twoProvinces(dir: string, opts: { newestMonthToo: boolean }): Promise<LocalStorage> {
    rmSync(dir, { recursive: true, force: true });
    const src = path.join(lakeDir, 'snapshots', PERIOD);
    const out = path.join(dir, 'snapshots', PERIOD);
    mkdirSync(out, { recursive: true });
    const manifest = JSON.parse(readFileSync(path.join(src, 'manifest.json'), 'utf8')) as { files: { name: string; sha256: string; rows?: number; bytes?: number }[] };
    const h98 = (cols: string[]): string =>
      cols
        .map((c) =>
          ['agency_code', 'parent_code', 'successor_code', 'final_successor_code', 'predecessor_codes', 'unit_key'].includes(c)
            ? `replace(${c}, 'H99', 'H98') AS ${c}`
            : c === 'province_code'
              ? `'H98' AS province_code`
              : ['agency_name', 'province_name', 'procedure_name'].includes(c)
                ? `${c} || ' (H98)' AS ${c}`
                : c,
        )
        .join(', ');
    await withDuckDb(async (db) => {
      for (const f of manifest.files) {
        const from = literal(path.join(src, f.name));
        const to = path.join(out, f.name);
        const cols = (await db.all(`DESCRIBE SELECT * FROM read_parquet(${from})`)).map((r) => String(r.column_name));
        const copied = ['agencies', 'agency_periods', 'province_months', 'procedure_catalogue', 'par_agency_years'].includes(f.name.replace(/\.parquet$/, ''));
        const keep = f.name === 'province_months.parquet' && !opts.newestMonthToo ? 'WHERE year * 100 + month < 202506' : '';
        const sql = copied ? `SELECT * FROM read_parquet(${from}) UNION ALL SELECT ${h98(cols)} FROM read_parquet(${from}) ${keep}` : `SELECT * FROM read_parquet(${from})`;
        await db.run(`COPY (${sql}) TO ${literal(to)} (FORMAT PARQUET)`);
        const body = readFileSync(to);
        f.sha256 = sha256(body);
        if (f.bytes !== undefined) f.bytes = body.length;
        if (f.rows !== undefined) f.rows = await db.scalarNumber(`SELECT count(*) FROM read_parquet(${literal(to)})`);
      }
    });
    writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest));
    return new LocalStorage(dir);
  }

  test("should report on the lake's own province only, its tables adding up to its total", async () => {
    const storage = await twoProvinces(path.join(ROOT, 'two-provinces'), { newestMonthToo: false });
    const one = await loadReportData(new LocalStorage(lakeDir), { period: PERIOD, workDir: path.join(ROOT, 'work') });
    const two = await loadReportData(storage, { period: PERIOD, workDir: path.join(ROOT, 'work') });
    // Each table has rows to leak (the copies carry "(H98)" in their names).
    expect([one.agencies.length, one.lateProcedures.length, one.mergers.length, one.par?.units.length ?? 0].every((n) => n > 0)).toBe(true);
    expect(two.provinceCode).toBe('H99');
    expect(two.agencies.map((a) => a.agency_code)).toEqual(one.agencies.map((a) => a.agency_code));
    expect(two.agencies.reduce((n, a) => n + a.received_total, 0)).toBe(two.province.current.received_total);
    expect(two.quarterAgencies?.map((a) => a.agency_code)).toEqual(one.quarterAgencies?.map((a) => a.agency_code));
    expect(two.lateProcedures).toEqual(one.lateProcedures);
    expect(two.mergers).toEqual(one.mergers);
    expect(two.par?.units.map((u) => u.agency_name)).toEqual(one.par?.units.map((u) => u.agency_name));
    expect(JSON.stringify(two)).not.toContain('(H98)');
  });

  test('should refuse a month two provinces hold when neither is the one of the latest month', async () => {
    const storage = await twoProvinces(path.join(ROOT, 'two-provinces-both'), { newestMonthToo: true });
    await expect(loadReportData(storage, { period: PERIOD, workDir: path.join(ROOT, 'work') })).rejects.toThrow(/the snapshot holds 2 provinces for it \(H98, H99\), and none is the one of its latest month \(H98, H99\)/);
  });
});

describe('report data of a snapshot published before a mart gained a column', () => {
  test('should read the 766 units of a snapshot without prev_units_total and is_merged, their previous counts unknown', async () => {
    const dir = path.join(ROOT, 'older-snapshot');
    rmSync(dir, { recursive: true, force: true });
    const src = path.join(lakeDir, 'snapshots', PERIOD);
    const out = path.join(dir, 'snapshots', PERIOD);
    mkdirSync(out, { recursive: true });
    const manifest = JSON.parse(readFileSync(path.join(src, 'manifest.json'), 'utf8')) as { files: { name: string; sha256: string; bytes?: number }[] };
    await withDuckDb(async (db) => {
      for (const f of manifest.files) {
        const from = literal(path.join(src, f.name));
        const to = path.join(out, f.name);
        const sql = f.name === 'score766_units.parquet' ? `SELECT * EXCLUDE (prev_units_total, is_merged) FROM read_parquet(${from})` : `SELECT * FROM read_parquet(${from})`;
        await db.run(`COPY (${sql}) TO ${literal(to)} (FORMAT PARQUET)`);
        const body = readFileSync(to);
        f.sha256 = sha256(body);
        if (f.bytes !== undefined) f.bytes = body.length;
      }
    });
    writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest));
    const now = await loadReportData(new LocalStorage(lakeDir), { period: PERIOD, workDir: path.join(ROOT, 'work') });
    const older = await loadReportData(new LocalStorage(dir), { period: PERIOD, workDir: path.join(ROOT, 'work') });
    expect(now.score766.length).toBeGreaterThan(0);
    expect(now.score766.some((u) => u.prev_units_total !== null)).toBe(true);
    expect(older.score766).toEqual(now.score766.map((u) => ({ ...u, prev_units_total: null })));
  });
});

describe('report pack of a month without a snapshot', () => {
  test('should fail clearly, listing the months that have one', async () => {
    await expect(buildReportPack(new LocalStorage(lakeDir), { period: '2025-04', workDir: path.join(ROOT, 'work') })).rejects.toThrow(
      /no published snapshot snapshots\/2025-04\/.*Snapshots published: 2025-06\./,
    );
    expect(existsSync(path.join(lakeDir, 'reports', '2025-04'))).toBe(false);
  });
});

describe('report packs on the dashboards site', () => {
  test('should copy every published pack under static/reports/ and list each file with its link for the "Báo cáo" page', async () => {
    const { prepareReportPacks } = await import('../../functions/dashboards/report-packs.js');
    const dash = path.join(ROOT, 'dash');
    rmSync(dash, { recursive: true, force: true });
    mkdirSync(path.join(dash, 'static', 'reports', 'stale'), { recursive: true });
    const rows = await withDuckDb(async (db) => {
      const out = await prepareReportPacks(db, { lakeDir, dashDir: dash, dataDir: path.join(dash, '.lake'), dataRel: '.lake', basePath: '/cchc' });
      await db.run(`set file_search_path = ${literal(dash)}`);
      return db.all(out.select);
    });
    const manifests = ['2025-06', '2025-06-r2'].map((d) => JSON.parse(readFileSync(path.join(lakeDir, 'reports', d, 'manifest.json'), 'utf8')) as { files: { name: string; sha256: string }[] });
    expect(rows).toHaveLength(manifests[0]!.files.length + manifests[1]!.files.length);
    expect(rows[0]).toMatchObject({ period: '2025-06', period_label: 'Tháng 6/2025 (bản 2)', revision: 2, snapshot_as_of: '2025-06-30' });
    expect(rows.map((r) => r.link)).toContain('/cchc/reports/2025-06/bao-cao-2025-06.pdf');
    for (const r of rows) {
      const copy = path.join(dash, 'static', String(r.link).slice('/cchc/'.length));
      expect(sha256(readFileSync(copy))).toBe(r.sha256);
    }
    expect(existsSync(path.join(dash, 'static', 'reports', 'stale'))).toBe(false);
    expect(rows.find((r) => r.file_name === 'bieu06-2025-q2.xlsx')?.kind).toBe('Biểu 06/VPCP/KSTT (Excel) quý');
    expect(rows.find((r) => r.file_name === 'bieu06-2025-h1.xlsx')?.kind).toBe('Biểu 06/VPCP/KSTT (Excel) 6 tháng');
  });
});
