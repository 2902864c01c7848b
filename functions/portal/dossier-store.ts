/**
 * Pages of the portal's dossier export (docs/data-contracts.md §2.3 CSV files) as §2.4 JSON, built in
 * DuckDB: the month CSVs overlapping a requested range are read once into an in-memory table
 * (one JSON text per dossier, numbered in maHoSo order), and every page is a range scan on that
 * number, aggregated to one JSON array string. No dossier passes through JavaScript as an object.
 *
 * Faithful to the files: a value that does not parse (a bad date, "Có"/"Không" misspelt, a
 * non-numeric channel) is served as the raw string, so the landing step quarantines it. A dossier
 * is served from its month file; the range filter uses its received date, and rows whose received
 * date does not parse are served when the range covers their file's whole month.
 */
import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createError } from '../core/errors.js';
import { DuckDb, literal } from '../core/engine/duckdb.js';

/** The exact header of the portal CSV export (docs/data-contracts.md §2.3), as the landing step checks it. */
export { PORTAL_CSV_HEADER } from '../core/lake/csv-header.js';
import { PORTAL_CSV_HEADER } from '../core/lake/csv-header.js';

const COLS = [
  'ma_ho_so',
  'ma_tthc',
  'ma_don_vi',
  'kenh',
  'ngay_tiep_nhan',
  'ngay_hen_tra',
  'ngay_ket_thuc',
  'trang_thai',
  'so_ngay_cho_bo_sung',
  'co_phi',
  'thanh_toan_truc_tuyen',
  'da_so_hoa',
  'co_ket_qua_dien_tu',
  'dong_bo_dvcqg',
  'co_phan_anh',
  'ngay_cap_nhat',
] as const;

const TS_FORMATS = `['%d/%m/%Y %H:%M', '%d/%m/%Y %H:%M:%S']`;
const ts = (c: string) =>
  `CASE WHEN ${c} IS NULL THEN NULL WHEN try_strptime(trim(${c}), ${TS_FORMATS}) IS NOT NULL ` +
  `THEN to_json(strftime(try_strptime(trim(${c}), ${TS_FORMATS}), '%Y-%m-%dT%H:%M:%S+07:00')) ELSE to_json(${c}) END`;
const bool = (c: string) => `CASE nfc_normalize(trim(${c})) WHEN 'Có' THEN to_json(true) WHEN 'Không' THEN to_json(false) ELSE to_json(${c}) END`;
const int = (c: string) => `coalesce(to_json(try_cast(trim(${c}) AS INTEGER)), to_json(${c}))`;

const ROW_JSON = `json_object(
  'maHoSo', ma_ho_so, 'maTTHC', ma_tthc, 'maDonVi', ma_don_vi, 'kenh', ${int('kenh')},
  'ngayTiepNhan', ${ts('ngay_tiep_nhan')}, 'ngayHenTra', ${ts('ngay_hen_tra')}, 'ngayKetThuc', ${ts('ngay_ket_thuc')},
  'trangThai', trang_thai, 'soNgayChoBoSung', ${int('so_ngay_cho_bo_sung')},
  'coPhi', ${bool('co_phi')}, 'thanhToanTrucTuyen', ${bool('thanh_toan_truc_tuyen')}, 'daSoHoa', ${bool('da_so_hoa')},
  'coKetQuaDienTu', ${bool('co_ket_qua_dien_tu')}, 'dongBoDVCQG', ${bool('dong_bo_dvcqg')}, 'coPhanAnh', ${bool('co_phan_anh')},
  'ngayCapNhat', ${ts('ngay_cap_nhat')})::VARCHAR`;

export interface DossierPageText {
  total: number;
  totalPages: number;
  /** JSON array text of the page's dossiers. */
  data: string;
  rows: number;
}

interface RangeTable {
  table: string;
  total: number;
}

/** Months `YYYY-MM` overlapping [from, to] (ISO dates). */
function monthsOverlapping(from: string, to: string): string[] {
  const out: string[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const end = to.slice(0, 7);
  for (;;) {
    const p = `${y}-${String(m).padStart(2, '0')}`;
    if (p > end) return out;
    out.push(p);
    if (++m > 12) {
      m = 1;
      y++;
    }
  }
}

export class DossierStore {
  private readonly cache = new Map<string, RangeTable>();
  private queue: Promise<unknown> = Promise.resolve();
  private seq = 0;

  private constructor(
    private readonly db: DuckDb,
    /** `<dataDir>/portal/dossiers` */
    readonly dossiersDir: string,
    private readonly maxCachedRanges: number,
    /** DuckDB's spill directory, this store's own (under the OS temp dir): removed by close(). */
    readonly tempDirectory: string,
  ) {}

  static async open(dossiersDir: string, options: { maxCachedRanges?: number; memoryLimit?: string } = {}): Promise<DossierStore> {
    const tempDirectory = await mkdtemp(path.join(os.tmpdir(), 'portal-duckdb-'));
    try {
      const db = await DuckDb.open({ memoryLimit: options.memoryLimit ?? '2GB', threads: 2, tempDirectory });
      return new DossierStore(db, dossiersDir, options.maxCachedRanges ?? 4, tempDirectory);
    } catch (err) {
      await rm(tempDirectory, { recursive: true, force: true });
      throw err;
    }
  }

  /** One page of dossiers received in [from, to] (ISO dates), ordered by maHoSo. */
  page(from: string, to: string, page: number, pageSize: number): Promise<DossierPageText> {
    return this.exclusive(async () => {
      const range = await this.rangeTable(from, to);
      const lo = (page - 1) * pageSize;
      const rows = await this.db.all(
        `SELECT coalesce('[' || string_agg(j, ',' ORDER BY rn) || ']', '[]') AS data, count(*)::INTEGER AS n FROM ${range.table} WHERE rn > $lo AND rn <= $hi`,
        { lo, hi: lo + pageSize },
      );
      return { total: range.total, totalPages: Math.ceil(range.total / pageSize), data: String(rows[0]?.data ?? '[]'), rows: Number(rows[0]?.n ?? 0) };
    });
  }

  /** Wait for queued queries, then release DuckDB and remove its spill directory. */
  async close(): Promise<void> {
    await this.queue.catch(() => undefined);
    this.db.close();
    await rm(this.tempDirectory, { recursive: true, force: true });
  }

  /** Serialise access to the single DuckDB connection. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async rangeTable(from: string, to: string): Promise<RangeTable> {
    const files: { period: string; file: string; version: string }[] = [];
    for (const period of monthsOverlapping(from, to)) {
      const file = path.join(this.dossiersDir, period.slice(0, 4), `${period}.csv`);
      const st = await stat(file).catch(() => undefined);
      if (st?.isFile()) files.push({ period, file, version: `${st.size}:${st.mtimeMs}` });
    }
    // The key carries each file's size and mtime, so a regenerated file is read again.
    const key = `${from}|${to}|${files.map((f) => `${f.period}@${f.version}`).join(',')}`;
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key);
      this.cache.set(key, hit);
      return hit;
    }
    const table = `range_${++this.seq}`;
    if (files.length === 0) {
      await this.db.run(`CREATE TABLE ${table} (rn BIGINT, j VARCHAR)`);
    } else {
      for (const f of files) await checkHeader(f.file);
      const list = `[${files.map((f) => literal(f.file)).join(', ')}]`;
      const columns = `{${COLS.map((c) => `'${c}': 'VARCHAR'`).join(', ')}}`;
      await this.db.run(
        `CREATE TABLE ${table} AS
         WITH src AS (
           SELECT *, strptime(regexp_extract(filename, '(\\d{4}-\\d{2})\\.csv$', 1) || '-01', '%Y-%m-%d')::DATE AS file_month
           FROM read_csv(${list}, header = true, columns = ${columns}, delim = ',', quote = '"', escape = '"', filename = true, auto_detect = false)
         ), typed AS (
           SELECT *, try_strptime(trim(ngay_tiep_nhan), ${TS_FORMATS})::DATE AS received_date FROM src
         ), picked AS (
           SELECT ma_ho_so, filename, ${ROW_JSON} AS j FROM typed
           WHERE received_date BETWEEN $from::DATE AND $to::DATE
              OR (received_date IS NULL AND file_month >= $from::DATE AND last_day(file_month) <= $to::DATE)
         )
         SELECT row_number() OVER (ORDER BY ma_ho_so, filename, j) AS rn, j FROM picked ORDER BY rn`,
        { from, to },
      );
    }
    const total = await this.db.scalarNumber(`SELECT count(*) FROM ${table}`);
    const entry = { table, total };
    this.cache.set(key, entry);
    while (this.cache.size > this.maxCachedRanges) {
      const [oldKey, old] = this.cache.entries().next().value as [string, RangeTable];
      this.cache.delete(oldKey);
      await this.db.run(`DROP TABLE IF EXISTS ${old.table}`);
    }
    return entry;
  }
}

/** The first line must be the exact header of docs/data-contracts.md §2.3 (after the UTF-8 BOM). */
async function checkHeader(file: string): Promise<void> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    let text = buf.subarray(0, bytesRead).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const line = text.split(/\r?\n/, 1)[0] ?? '';
    const expected = PORTAL_CSV_HEADER.join(',');
    if (line.normalize('NFC') !== expected) {
      throw createError('portal', `Failed to read ${file} (row 0): header is "${line}", expected "${expected}"`);
    }
  } finally {
    await fh.close();
  }
}
