/**
 * Shared XLSX plumbing for the Biểu 06 and PAR readers and writers:
 * - deterministic writing (fixed document dates, fixed zip entry dates, atomic rename);
 * - bounded streaming reading with exceljs's WorkbookReader (file size, declared unpacked size,
 *   rows and columns are capped; past a cap the read fails with a PipelineInputError);
 * - cell value helpers (text of rich text / formulas, vi-VN numbers stored as text), and `cellFault`,
 *   which names a cell that holds no usable value: a formula never calculated (a workbook saved by a
 *   tool that does not compute formulas) or an error value (#DIV/0!, #N/A …). Such a cell never reads
 *   as a number (and never as 0): the readers quarantine the row naming the cell.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, posix } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { PipelineInputError } from '../../errors.js';

/** Caps that keep a big or malicious file in bounded memory. */
export interface XlsxLimits {
  /** Largest file accepted, bytes (default 20 MiB). */
  readonly maxFileBytes?: number;
  /** Largest total unpacked size the zip declares, bytes (default 200 MiB). */
  readonly maxUnpackedBytes?: number;
  /** Most rows read across all sheets (default 20 000). */
  readonly maxRows?: number;
  /** Most columns in one row (default 256). */
  readonly maxColumns?: number;
}

export const DEFAULT_LIMITS: Required<XlsxLimits> = {
  maxFileBytes: 20 * 1024 * 1024,
  maxUnpackedBytes: 200 * 1024 * 1024,
  maxRows: 20_000,
  maxColumns: 256,
};

/** Options every XLSX reader takes besides its own. */
export interface XlsxReadOptions {
  /** Name recorded in quarantine records and errors (default: the file's base name). */
  readonly sourceFile?: string;
  /** sha256 of the raw file if the caller has it (default: computed while reading). */
  readonly rawHash?: string;
  readonly limits?: XlsxLimits;
}

// ---------------------------------------------------------------------------------------------
// Writing

/** Fixed timestamp for a document: noon UTC of a data-derived date, so output never depends on the clock. */
export function documentDate(isoDay: string): Date {
  const d = new Date(`${isoDay}T12:00:00.000Z`);
  if (Number.isNaN(d.getTime())) throw new RangeError(`[pipeline] [xlsx] Failed to set document date: ${isoDay} is not YYYY-MM-DD`);
  return d;
}

/** A workbook with fixed metadata (creator and dates) so the same data writes the same bytes. */
export function newWorkbook(date: Date): ExcelJS.Workbook {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'cchc-pipeline';
  wb.lastModifiedBy = 'cchc-pipeline';
  wb.created = date;
  wb.modified = date;
  wb.calcProperties.fullCalcOnLoad = false;
  return wb;
}

function dosDateTime(d: Date): { time: number; date: number } {
  const time = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2);
  const date = ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate();
  return { time, date };
}

/**
 * Overwrite every entry's DOS modification time in a zip (local headers and central directory).
 * JSZip (used by exceljs) stamps entries with the current time and offers no option to fix it.
 */
export function fixZipDates(zip: Buffer, when: Date): Buffer {
  const out = Buffer.from(zip);
  const { time, date } = dosDateTime(when);
  let eocd = -1;
  for (let i = out.length - 22; i >= Math.max(0, out.length - 22 - 0xffff); i--) {
    if (out.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('[pipeline] [xlsx] Failed to fix zip dates: no end-of-central-directory record');
  const entries = out.readUInt16LE(eocd + 10);
  let p = out.readUInt32LE(eocd + 16);
  for (let n = 0; n < entries; n++) {
    if (out.readUInt32LE(p) !== 0x02014b50) throw new Error('[pipeline] [xlsx] Failed to fix zip dates: bad central directory entry');
    out.writeUInt16LE(time, p + 12);
    out.writeUInt16LE(date, p + 14);
    const local = out.readUInt32LE(p + 42);
    if (out.readUInt32LE(local) !== 0x04034b50) throw new Error('[pipeline] [xlsx] Failed to fix zip dates: bad local header');
    out.writeUInt16LE(time, local + 10);
    out.writeUInt16LE(date, local + 12);
    p += 46 + out.readUInt16LE(p + 28) + out.readUInt16LE(p + 30) + out.readUInt16LE(p + 32);
  }
  return out;
}

/** Write a workbook deterministically: fixed zip dates, then write-to-temp and rename (atomic on one disk). */
export async function writeWorkbookDeterministic(wb: ExcelJS.Workbook, path: string, when: Date): Promise<void> {
  const buf = Buffer.from(await wb.xlsx.writeBuffer({ zip: { compression: 'DEFLATE', compressionOptions: { level: 6 } } } as never));
  const fixed = fixZipDates(buf, when);
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await writeFile(tmp, fixed);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Set cells of one row from column 1 on (undefined leaves a cell empty). */
export function setRow(ws: ExcelJS.Worksheet, rowNo: number, values: readonly (string | number | undefined)[]): void {
  values.forEach((v, i) => {
    if (v !== undefined) ws.getCell(rowNo, i + 1).value = v;
  });
}

// ---------------------------------------------------------------------------------------------
// Reading

export type CellValue = ExcelJS.CellValue;

/** The text a cell shows (rich text joined, formula result, trimmed, NFC); '' for empty. */
export function cellText(v: CellValue | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v.normalize('NFC').replace(/[\s\u00a0]+/gu, ' ').trim();
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if ('richText' in v && Array.isArray(v.richText)) return cellText(v.richText.map((r) => r.text).join(''));
    if ('result' in v) return cellText((v as { result?: CellValue }).result);
    if ('text' in v) return cellText((v as { text: CellValue }).text);
    if ('error' in v) return String((v as { error: unknown }).error);
  }
  return '';
}

function isFormula(v: CellValue | undefined): v is CellValue & { formula?: string; sharedFormula?: string; result?: unknown } {
  return typeof v === 'object' && v !== null && !(v instanceof Date) && ('formula' in v || 'sharedFormula' in v);
}

/**
 * The raw value of a cell with formulas replaced by their cached result. A formula without a cached
 * value, or with an error as its value, gives the formula's text ("=SUM(D12:D14)"): never a number,
 * never null (empty); `cellFault` says what is wrong with it.
 */
export function cellScalar(v: CellValue | undefined): string | number | boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isNaN(v) ? '#NUM!' : v;
  if (typeof v === 'boolean') return v;
  if (isFormula(v)) {
    const r = v.result as CellValue | undefined;
    if (r === undefined || r === null || (typeof r === 'number' && Number.isNaN(r)) || (typeof r === 'object' && 'error' in r)) {
      return `=${v.formula ?? v.sharedFormula ?? ''}`;
    }
    return cellScalar(r);
  }
  if (typeof v === 'object' && !(v instanceof Date) && 'result' in v) return cellScalar((v as { result?: CellValue }).result);
  const t = cellText(v);
  return t === '' ? null : t;
}

const errorIn = (e: unknown): string => {
  const text = typeof e === 'string' ? e : typeof e === 'object' && e !== null && 'error' in e ? String((e as { error: unknown }).error) : '';
  return text.startsWith('#') ? `the cell holds the error ${text}` : 'the cell holds an error value instead of a number';
};

/**
 * What makes a cell unusable as a value, in an official's words, or null when it is fine:
 * "formula without a computed value" (the workbook was saved by a tool that does not calculate
 * formulas) or "the cell holds the error #DIV/0!" (also #N/A, #VALUE!, #REF! …).
 */
export function cellFault(v: CellValue | undefined): string | null {
  if (typeof v !== 'object' || v === null || v instanceof Date) return typeof v === 'number' && Number.isNaN(v) ? errorIn(null) : null;
  if (isFormula(v)) {
    const r = v.result as unknown;
    if (r === undefined || r === null) return 'formula without a computed value';
    if (typeof r === 'number' && Number.isNaN(r)) return errorIn(null);
    if (typeof r === 'object' && r !== null && 'error' in r) return errorIn(r);
    return null;
  }
  if ('error' in v) return errorIn(v);
  return null;
}

/** How to fix a cell named by `cellFault`, for the end of a quarantine reason. */
export function cellFaultHint(fault: string): string {
  return fault.startsWith('formula')
    ? 'open the workbook in Excel, let it calculate, and save it again'
    : 'correct the formula or the figure in the workbook and send it again';
}

/** A1-style reference of a 1-based column and row ("F14"). */
export function cellRef(col: number, row: number): string {
  let letters = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return `${letters}${row}`;
}

/** One sheet row as the readers see it: 1-based sheet row number and 1-based column values. */
export interface SheetRow {
  readonly sheet: string;
  readonly number: number;
  /** values[col] for col 1..n; index 0 unused */
  readonly values: readonly (CellValue | undefined)[];
}

/** An OLE compound file (CFB): what Excel writes for a password-protected workbook, and for an old .xls. */
const CFB_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/**
 * The message for a CFB file. Excel saves a workbook with a password to open as a CFB holding the
 * streams "EncryptionInfo" and "EncryptedPackage" (MS-OFFCRYPTO); their names (UTF-16LE) sit in the
 * CFB directory, which the first MiB of such a small file holds.
 */
async function cfbMessage(fh: import('node:fs/promises').FileHandle, size: number): Promise<{ message: string; code: 'xlsx_password' | 'xlsx_legacy' }> {
  const buf = Buffer.alloc(Math.min(size, 1024 * 1024));
  await fh.read(buf, 0, buf.length, 0);
  const has = (name: string): boolean => buf.includes(Buffer.from(name, 'utf16le'));
  if (has('EncryptedPackage') || has('EncryptionInfo')) {
    return {
      message:
        'the workbook is password-protected (encrypted), so it cannot be read; open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password, clear the box) and save it again as .xlsx',
      code: 'xlsx_password',
    };
  }
  return {
    message: 'not an XLSX file: it is an old Excel 97–2003 workbook (.xls) or a password-protected workbook; open it in Excel, remove any password and save it as "Excel Workbook (.xlsx)"',
    code: 'xlsx_legacy',
  };
}

/** Cached error values of formula cells: sheet name → cell ref → "#DIV/0!" (see `errorScanner`). */
type SheetErrors = Map<string, Map<string, string>>;

/**
 * A scanner over a worksheet part's XML, chunk by chunk, that records formula cells whose cached
 * value is an error (`<c r="F14" t="e"><f>…</f><v>#DIV/0!</v></c>`). exceljs's streaming reader
 * parses such a value as a number (NaN) and loses the error's text; this keeps it for the message.
 */
function errorScanner(into: Map<string, string>): (chunk: Buffer) => void {
  let carry = '';
  const cell = /<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g;
  return (chunk) => {
    const text = carry + chunk.toString('latin1');
    let end = 0;
    if (text.includes('t="e"')) {
      for (const m of text.matchAll(cell)) {
        end = m.index + m[0].length;
        const attrs = m[1] ?? '';
        const body = m[2] ?? '';
        if (!/\bt="e"/.test(attrs) || !body.includes('<f')) continue;
        const ref = /\br="([A-Z]{1,3}\d{1,7})"/.exec(attrs)?.[1];
        const value = /<v>([^<]*)<\/v>/.exec(body)?.[1];
        if (ref && value) into.set(ref, value.trim());
      }
    }
    const rest = text.slice(end);
    const open = rest.lastIndexOf('<c');
    carry = (open >= 0 ? rest.slice(open) : rest.slice(Math.max(0, rest.length - 8))).slice(-65536);
  };
}

/** An attribute's value with its XML references decoded: the five named ones and numeric ones (&#7919;, &#x1EEF;). */
const xmlAttr = (tag: string, name: string): string | undefined =>
  new RegExp(`\\b${name}=(?:"([^"]*)"|'([^']*)')`).exec(tag)?.slice(1).find((v) => v !== undefined)?.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|quot|apos|amp);/g, (ref, body: string) => {
    if (body.startsWith('#')) {
      const code = body[1] === 'x' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      return code <= 0x10ffff ? String.fromCodePoint(code) : ref;
    }
    return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[body]!;
  });

/** Worksheet part name (xl/worksheets/sheet1.xml) → sheet name, from workbook.xml and its relationships. */
function sheetNames(workbookXml: string, relsXml: string): Map<string, string> {
  const targets = new Map<string, string>();
  for (const m of relsXml.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = xmlAttr(m[0], 'Id');
    const target = xmlAttr(m[0], 'Target');
    // Relative to xl/ ("./worksheets/…", "../xl/worksheets/…" normalised), or absolute from the package's root.
    if (id && target) targets.set(id, target.startsWith('/') ? target.slice(1) : posix.normalize(`xl/${target}`));
  }
  const out = new Map<string, string>();
  for (const m of workbookXml.matchAll(/<(?:\w+:)?sheet\b[^>]*>/g)) {
    const name = xmlAttr(m[0], 'name');
    const rid = xmlAttr(m[0], 'r:id');
    const part = rid ? targets.get(rid) : undefined;
    if (name !== undefined && part) out.set(part, name);
  }
  return out;
}

/** What checkZip found: the cached error values by sheet, the parts and the sheets' names. */
interface ZipCheck {
  errors: SheetErrors;
  /** The parts in file order (what the reader must read: expectedParts). */
  parts: { name: string }[];
  /** The workbook's sheets (workbook.xml through its rels): part name → sheet name. */
  sheets: Map<string, string>;
}

async function checkZip(path: string, file: string, limits: Required<XlsxLimits>, scope: string): Promise<ZipCheck> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    throw new PipelineInputError(scope, file, 'the file cannot be opened', { cause: err, code: 'unreadable' });
  }
  if (size > limits.maxFileBytes) {
    throw new PipelineInputError(scope, file, `the file is ${size} bytes, above the ${limits.maxFileBytes}-byte limit for an XLSX report`, { code: 'too_large' });
  }
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    await fh.read(head, 0, 8, 0);
    if (size >= 8 && head.equals(CFB_MAGIC)) {
      const cfb = await cfbMessage(fh, size);
      throw new PipelineInputError(scope, file, cfb.message, { code: cfb.code });
    }
    if (size < 22 || head.readUInt32LE(0) !== 0x04034b50) {
      throw new PipelineInputError(scope, file, 'not an XLSX file (no zip signature; is it an old .xls, a CSV or an HTML page saved as .xlsx?)', { code: 'not_xlsx' });
    }
    const tailLen = Math.min(size, 22 + 0xffff);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    let eocd = -1;
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === 0x06054b50) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new PipelineInputError(scope, file, 'not a complete XLSX file (the zip directory is missing; truncated download?)', { code: 'xlsx_incomplete' });
    const cdSize = tail.readUInt32LE(eocd + 12);
    const cdOffset = tail.readUInt32LE(eocd + 16);
    const entries = tail.readUInt16LE(eocd + 10);
    if (cdOffset + cdSize > size || cdSize > 16 * 1024 * 1024) {
      throw new PipelineInputError(scope, file, 'the zip directory is damaged (Zip64 or corrupt)', { code: 'xlsx_incomplete' });
    }
    const cd = Buffer.alloc(cdSize);
    await fh.read(cd, 0, cdSize, cdOffset);
    let unpacked = 0;
    let p = 0;
    const parts: { name: string; method: number; packed: number; declared: number; local: number }[] = [];
    for (let n = 0; n < entries; n++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== 0x02014b50) throw new PipelineInputError(scope, file, 'the zip directory is damaged', { code: 'xlsx_incomplete' });
      const nameLen = cd.readUInt16LE(p + 28);
      const declared = cd.readUInt32LE(p + 24);
      unpacked += declared;
      parts.push({ name: cd.subarray(p + 46, p + 46 + nameLen).toString('utf8'), method: cd.readUInt16LE(p + 10), packed: cd.readUInt32LE(p + 20), declared, local: cd.readUInt32LE(p + 42) });
      p += 46 + nameLen + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32);
    }
    await checkNoHiddenParts(fh, parts, cdOffset, file, scope);
    if (unpacked > limits.maxUnpackedBytes) {
      throw new PipelineInputError(scope, file, `the workbook unpacks to ${unpacked} bytes, above the ${limits.maxUnpackedBytes}-byte limit`, { code: 'too_large' });
    }
    // The declared sizes can lie (a zip bomb that says "1 KB"): inflate every part, discarding the
    // output, and stop as soon as one yields more than it declared. Bounded time and memory.
    const byPart = new Map<string, Map<string, string>>();
    const small: Record<string, string> = {};
    for (const part of parts) {
      let onChunk: ((chunk: Buffer) => void) | undefined;
      if (/^xl\/worksheets\/[^/]+\.xml$/u.test(part.name)) {
        const errors = new Map<string, string>();
        byPart.set(part.name, errors);
        onChunk = errorScanner(errors);
      } else if ((part.name === 'xl/workbook.xml' || part.name === 'xl/_rels/workbook.xml.rels') && part.declared <= 4 * 1024 * 1024) {
        const chunks: Buffer[] = [];
        onChunk = (c) => void chunks.push(Buffer.from(c));
        await checkPartSize(fh, size, part, file, scope, onChunk);
        small[part.name] = Buffer.concat(chunks).toString('utf8');
        continue;
      }
      await checkPartSize(fh, size, part, file, scope, onChunk);
    }
    const names = sheetNames(small['xl/workbook.xml'] ?? '', small['xl/_rels/workbook.xml.rels'] ?? '');
    const out: SheetErrors = new Map();
    for (const [part, errors] of byPart) if (errors.size > 0) out.set(names.get(part) ?? part, errors);
    return { errors: out, parts: parts.map((p) => ({ name: p.name })), sheets: names };
  } finally {
    await fh.close();
  }
}

/**
 * The zip's parts, in the order of their offsets, must follow one another from the first byte to the zip
 * directory with nothing between them. The workbook reader (exceljs) reads the local headers one after
 * another, not the directory: a part the directory does not list (a shared-strings part hidden between two
 * listed ones) would be read without the size checks below — a 3 MB file inflating to gigabytes.
 */
async function checkNoHiddenParts(
  fh: import('node:fs/promises').FileHandle,
  parts: readonly { name: string; packed: number; local: number }[],
  cdOffset: number,
  file: string,
  scope: string,
): Promise<void> {
  const hidden = (at: number): PipelineInputError =>
    new PipelineInputError(scope, file, `the workbook holds data its zip directory does not list (at byte ${at}): not a workbook a spreadsheet program wrote, refused`, { code: 'xlsx_incomplete' });
  const header = Buffer.alloc(30);
  let at = 0;
  for (const part of [...parts].sort((a, b) => a.local - b.local)) {
    if (part.local !== at) throw hidden(at);
    await fh.read(header, 0, 30, part.local);
    if (header.readUInt32LE(0) !== 0x04034b50) throw hidden(at);
    at = part.local + 30 + header.readUInt16LE(26) + header.readUInt16LE(28) + part.packed;
    // Sizes written after the data (general purpose flag bit 3): 12 bytes, or 16 with their signature.
    if (header.readUInt16LE(6) & 0x08) {
      const sig = Buffer.alloc(4);
      await fh.read(sig, 0, 4, at);
      at += sig.readUInt32LE(0) === 0x08074b50 ? 16 : 12;
    }
  }
  if (at !== cdOffset) throw hidden(at);
}

/** Parts up to this size (packed and declared) are inflated in one call, not streamed. */
const SYNC_INFLATE_BYTES = 4 * 1024 * 1024;

async function checkPartSize(
  fh: import('node:fs/promises').FileHandle,
  size: number,
  part: { name: string; method: number; packed: number; declared: number; local: number },
  file: string,
  scope: string,
  onChunk?: (chunk: Buffer) => void,
): Promise<void> {
  const damaged = (why: string): PipelineInputError => new PipelineInputError(scope, file, `the zip part ${part.name} is damaged (${why})`, { code: 'xlsx_incomplete' });
  const bomb = (): PipelineInputError => new PipelineInputError(scope, file, `the zip part ${part.name} unpacks to more than the ${part.declared} bytes it declares (a zip bomb?)`, { code: 'too_large' });
  const header = Buffer.alloc(30);
  await fh.read(header, 0, 30, part.local);
  if (header.readUInt32LE(0) !== 0x04034b50) throw damaged('no local header');
  const start = part.local + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + part.packed > size) throw damaged('it runs past the end of the file');
  if (part.method === 0) {
    if (part.packed !== part.declared) throw damaged('stored size differs from its declared size');
    if (onChunk) {
      const chunk = Buffer.alloc(Math.min(part.packed, 1024 * 1024));
      for (let at = 0; at < part.packed; at += chunk.length) {
        const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, part.packed - at), start + at);
        onChunk(Buffer.from(chunk.subarray(0, bytesRead)));
      }
    }
    return;
  }
  if (part.method !== 8) throw damaged(`compression method ${part.method} is not deflate`);
  if (part.declared <= SYNC_INFLATE_BYTES && part.packed <= SYNC_INFLATE_BYTES) {
    const packed = Buffer.alloc(part.packed);
    await fh.read(packed, 0, part.packed, start);
    let out: Buffer;
    try {
      out = inflateRawSync(packed, { maxOutputLength: part.declared + 1 });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw bomb();
      throw damaged((err as Error).message);
    }
    if (out.length > part.declared) throw bomb();
    if (onChunk) onChunk(out);
    return;
  }
  let produced = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      produced += chunk.length;
      if (onChunk && produced <= part.declared) onChunk(chunk);
      done(produced > part.declared ? bomb() : null);
    },
  });
  const source = fh.createReadStream({ start, end: start + part.packed - 1, autoClose: false });
  try {
    await pipeline(source, createInflateRaw(), sink);
  } catch (err) {
    if (err instanceof PipelineInputError) throw err;
    throw damaged((err as Error).message);
  }
}

/** sha256 hex of a file, streamed. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** The workbook's sheet names in tab order (workbook.xml), empty sheets included; the zip checked as streamRows checks it. */
export async function workbookSheets(path: string, opts: { file?: string; scope: string; limits?: XlsxLimits }): Promise<string[]> {
  const { sheets } = await checkZip(path, opts.file ?? basename(path), { ...DEFAULT_LIMITS, ...opts.limits }, opts.scope);
  return [...sheets.values()];
}

/**
 * Stream the rows of every worksheet of an XLSX file through `onRow`, in bounded memory. `onRow`
 * returns 'stop' when it needs no more rows (e.g. past the table's sheet). Fails with PipelineInputError on a
 * non-zip or damaged file or when a limit is passed. `onSheets` is given the workbook's sheet names in tab
 * order (workbook.xml), empty sheets included, before the first row: the rows show only sheets that have some.
 */
export async function streamRows(
  path: string,
  opts: { file?: string; scope: string; limits?: XlsxLimits; onSheets?: (names: readonly string[]) => void },
  onRow: (row: SheetRow) => 'stop' | void,
): Promise<void> {
  const file = opts.file ?? basename(path);
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const { errors, parts, sheets } = await checkZip(path, file, limits, opts.scope);
  opts.onSheets?.([...sheets.values()]);
  const expected = expectedParts(parts);
  // exceljs's reader takes a worksheet only under the part name Excel gives it: one stored under another
  // name (a valid workbook, as some generators write it) would be skipped without a word.
  for (const [part, name] of sheets) {
    if (part.startsWith('xl/worksheets/') && !EXCELJS_WORKSHEET.test(part)) {
      throw new PipelineInputError(
        opts.scope,
        file,
        `the worksheet "${name}" is stored as ${part}, a part name the XLSX reader does not read (it reads xl/worksheets/sheet<n>.xml): open the file in Excel and save it again`,
        { code: 'unreadable' },
      );
    }
  }
  // A workbook of stored (uncompressed) parts is read as it is: the patched reader reads every part
  // whatever the timing (bench/history.md, change 128).
  await streamRowsWithRetries(path, file, limits, opts.scope, onRow, { errors, expected, sheets });
}

/** What checkZip found that the read needs: the cached error texts, the parts to read, the sheets' names by part. */
interface ZipFacts {
  errors: SheetErrors;
  expected: ExpectedParts;
  sheets: ReadonlyMap<string, string>;
}

/** exceljs's streaming reader did not read a part the zip holds (streamRowsOnce). */
class ReaderMissedPart extends Error {}

/**
 * What exceljs's reader missed of the parts the zip's directory lists. It missed a sound zip's last parts
 * (xl/workbook.xml and its rels, in CI runs) whenever parking a worksheet took a while: unzipper's Parse
 * says 'end' with parts still buffered, and exceljs's iterator stopped there (fixed in the exceljs patch:
 * the zip is read with Readable's own iterator). The check stays as a guard: a missed worksheet would be
 * rows lost without a word, missed shared strings text cells read as nothing, and without the parts that
 * name the sheets every sheet is called "Sheet".
 */
function assertPartsRead(read: ReaderState, expected: ExpectedParts, worksheets: number): void {
  const missed = [
    ...(worksheets !== expected.worksheets ? [`${worksheets} of its ${expected.worksheets} worksheets`] : []),
    ...(expected.workbook && read.model === undefined ? ['no xl/workbook.xml'] : []),
    ...(expected.rels && read.workbookRels === undefined ? ['no xl/_rels/workbook.xml.rels'] : []),
    ...(expected.sharedStrings && read.sharedStrings === undefined ? ['no shared strings'] : []),
  ];
  if (missed.length > 0) throw new ReaderMissedPart(`the XLSX reader read ${missed.join(' and ')}`);
}

/** What exceljs's WorkbookReader holds once it has read a part (zipRead and worksheetEntries: the project's patch). */
interface ReaderState {
  model?: unknown;
  workbookRels?: unknown;
  sharedStrings?: unknown;
  zipRead?: boolean;
  worksheetEntries?: number;
}

/** What exceljs's reader must have read of a workbook: its worksheet parts, its shared strings if it has them. */
interface ExpectedParts {
  /** The worksheet parts exceljs's reader takes, each yielded once. */
  worksheets: number;
  /** The parts that name the sheets (without them the reader calls every sheet "Sheet") and hold the text cells. */
  workbook: boolean;
  rels: boolean;
  sharedStrings: boolean;
}

/** The part names exceljs's reader takes for worksheets (workbook-reader.js, unanchored as there). */
const EXCELJS_WORKSHEET = /xl\/worksheets\/sheet\d+[.]xml/;

function expectedParts(parts: readonly { name: string }[]): ExpectedParts {
  const has = (name: string): boolean => parts.some((p) => p.name === name);
  return {
    worksheets: parts.filter((p) => EXCELJS_WORKSHEET.test(p.name)).length,
    workbook: has('xl/workbook.xml'),
    rels: has('xl/_rels/workbook.xml.rels'),
    sharedStrings: has('xl/sharedStrings.xml'),
  };
}

async function streamRowsWithRetries(
  path: string,
  file: string,
  limits: Required<XlsxLimits>,
  scope: string,
  onRow: (row: SheetRow) => 'stop' | void,
  zip: ZipFacts,
): Promise<void> {
  // Should exceljs's streaming reader still fail on a sound file (the zip was just checked part by part),
  // a failure before any row reached `onRow` is retried (up to four times); one after rows were handed
  // over is reported, since rows must not be handed over twice.
  for (let attempt = 1; ; attempt++) {
    const progress = { emitted: 0 };
    try {
      await streamRowsOnce(path, file, limits, scope, onRow, progress, zip);
      return;
    } catch (err) {
      const internal = !(err instanceof PipelineInputError) || err.cause instanceof TypeError || err.cause instanceof ReaderMissedPart;
      if (!internal || progress.emitted > 0 || attempt >= 5) {
        if (err instanceof PipelineInputError) throw err;
        throw new PipelineInputError(scope, file, `the workbook cannot be parsed (${(err as Error).message})`, { cause: err, code: 'unreadable' });
      }
    }
  }
}

async function streamRowsOnce(
  path: string,
  file: string,
  limits: Required<XlsxLimits>,
  scope: string,
  onRow: (row: SheetRow) => 'stop' | void,
  progress: { emitted: number },
  { errors, expected, sheets }: ZipFacts,
): Promise<void> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  });
  let rows = 0;
  let stopped = false;
  try {
    // After 'stop' the rest is still drained, so the limits hold over the whole workbook. exceljs parks a
    // worksheet that comes before the shared strings in a temp file; patched, it removes that file
    // however the iteration ends (a limit passed, a parse error), not only once the sheet was parsed.
    const state = reader as unknown as ReaderState;
    let worksheets = 0;
    let checked = false;
    for await (const ws of reader) {
      worksheets++;
      // Once the zip is read to its end (patched exceljs: `zipRead`), before the rows of the worksheets it
      // parked (all of them in a workbook Excel or exceljs wrote: their shared strings come after), the
      // parts are checked: a miss is then retried, no row having been handed over.
      if (!checked && state.zipRead === true) {
        checked = true;
        assertPartsRead(state, expected, state.worksheetEntries ?? 0);
      }
      // Named as the workbook's list of sheets names its part (checkZip; `onSheets`), the list the cached
      // error texts are keyed by too: exceljs names a sheet whose relationship it does not recognise
      // (an absolute Target) "Sheet<n>" (the project's patch gives the part).
      const w = ws as unknown as { name?: string; part?: string };
      const sheet = (w.part !== undefined ? sheets.get(w.part) : undefined) ?? w.name ?? 'Sheet';
      for await (const row of ws) {
        rows++;
        if (rows > limits.maxRows) {
          throw new PipelineInputError(scope, file, `more than ${limits.maxRows} rows; this is not a report form (raise limits.maxRows if it really is)`, { code: 'too_large' });
        }
        const values = withFormulaResults(row, errors.get(sheet));
        if (values.length - 1 > limits.maxColumns) {
          throw new PipelineInputError(scope, file, `row ${row.number} has ${values.length - 1} columns, above the ${limits.maxColumns}-column limit`, { row: row.number, code: 'too_large' });
        }
        if (!stopped) {
          progress.emitted++;
          if (onRow({ sheet, number: row.number, values }) === 'stop') stopped = true;
        }
      }
    }
    // And at the end, for a workbook whose worksheets were all read while the zip was (no parked sheet).
    assertPartsRead(state, expected, worksheets);
  } catch (err) {
    if (err instanceof PipelineInputError) throw err;
    throw new PipelineInputError(scope, file, `the workbook cannot be parsed (${(err as Error).message})`, { cause: err, code: 'unreadable' });
  } finally {
    const s = (reader as unknown as { stream?: { destroy?: () => void } }).stream;
    s?.destroy?.();
  }
}

/**
 * The row's values, with every formula cell as `{ formula, result }` where `result` is the cached
 * value as stored: exceljs's `value` getter drops a falsy result (a cached 0 or "" looks uncalculated)
 * and reads a cached error as NaN, so the result is taken from the cell itself, and an error's text
 * from the zip scan (`errorScanner`). `result` is undefined only when the cell has no cached value.
 */
function withFormulaResults(row: ExcelJS.Row, errors: Map<string, string> | undefined): (CellValue | undefined)[] {
  const values = row.values as (CellValue | undefined)[];
  if (!values.some(isFormula)) return values;
  const out = [...values];
  out.forEach((v, col) => {
    if (!isFormula(v)) return;
    const cell = row.getCell(col);
    const result = (cell as unknown as { result?: unknown }).result;
    const formula = (v as { formula?: string }).formula ?? '';
    if (typeof result === 'number' && Number.isNaN(result)) {
      const error = errors?.get(cellRef(col, row.number));
      out[col] = { formula, result: error !== undefined ? { error } : Number.NaN } as unknown as CellValue;
    } else {
      out[col] = { formula, result } as unknown as CellValue;
    }
  });
  return out;
}
