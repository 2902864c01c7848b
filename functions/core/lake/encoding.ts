/**
 * Text encodings of the CSV exports, decided before DuckDB reads a file.
 *
 * The contract is UTF-8 (docs/data-contracts.md §0). Vietnamese offices still save exports as
 * Windows-1258 (Excel's "CSV" on a Vietnamese Windows), so landing accepts that one legacy encoding
 * when it can prove it: the file's first line is not valid UTF-8, and decoding it as Windows-1258
 * (then NFC) gives exactly the contract's header. Such a file is transcoded to NFC UTF-8 in the work
 * directory and read from there; raw/ keeps the bytes as received. Any other non-UTF-8 file (TCVN3,
 * VNI, UTF-16, a binary) is refused with a message saying how to export it.
 *
 * Also here: formula neutralisation for text people open in spreadsheets (CSV downloads).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { PipelineInputError } from '../errors.js';
import { headerFields, readHead } from './csv-header.js';

export type CsvEncoding = 'utf-8' | 'windows-1258';

export interface Utf8Csv {
  /** A file DuckDB can read as UTF-8: the original, or a transcoded copy in the work directory. */
  path: string;
  /** The encoding the bytes were in. */
  encoding: CsvEncoding;
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * The encoding of a CSV export whose header must be `expected`: 'utf-8' when its first line is
 * UTF-8 (a UTF-8 body error is then DuckDB's, per row), 'windows-1258' when only that decoding
 * yields the expected header; otherwise a PipelineInputError naming the file.
 */
export async function detectCsvEncoding(file: string, displayName: string, expected: readonly string[], delim: string): Promise<CsvEncoding> {
  const head = await readHead(file);
  if (head.length === 0) return 'utf-8'; // the header check reports the empty file
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return 'utf-8'; // refused by the header check
  const nl = head.indexOf(0x0a);
  const first = head.subarray(0, nl >= 0 ? nl : head.length);
  if (isUtf8(first)) return 'utf-8';
  const decoded = headerFields(new TextDecoder('windows-1258').decode(first), delim).fields;
  if (decoded.length === expected.length && decoded.every((h, i) => h === expected[i])) return 'windows-1258';
  throw new PipelineInputError(
    'land',
    displayName,
    'the file is neither UTF-8 nor Windows-1258 with the expected header (TCVN3 or VNI?); export it as UTF-8 (CSV UTF-8 in Excel)',
    { row: 1, code: 'encoding' },
  );
}

/** Combining marks (U+0300–U+036F) at the end of a chunk may belong to the next one's base letter: hold them back. */
function splitStable(text: string): [string, string] {
  let cut = text.length;
  while (cut > 0 && /[\u0300-\u036f]/.test(text[cut - 1]!)) cut--;
  // Keep the base letter too: NFC composes it with the marks that follow.
  if (cut < text.length && cut > 0) cut--;
  return [text.slice(0, cut), text.slice(cut)];
}

/** Streamed Windows-1258 → NFC UTF-8 (bounded memory, any file size). */
export async function transcodeWindows1258(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  const decoder = new TextDecoder('windows-1258');
  let carry = '';
  const transcode = new Transform({
    transform(chunk: Buffer, _enc, done) {
      const [stable, rest] = splitStable(carry + decoder.decode(chunk, { stream: true }));
      carry = rest;
      done(null, Buffer.from(stable.normalize('NFC'), 'utf8'));
    },
    flush(done) {
      done(null, Buffer.from((carry + decoder.decode()).normalize('NFC'), 'utf8'));
    },
  });
  await pipeline(createReadStream(from), transcode, createWriteStream(to));
}

/**
 * A UTF-8 path for a CSV export (see the module comment): the file itself when it is UTF-8, else a
 * transcoded copy under `workDir`. Throws PipelineInputError for encodings it cannot prove.
 */
export async function utf8Csv(file: string, displayName: string, expected: readonly string[], delim: string, workDir: string): Promise<Utf8Csv> {
  const encoding = await detectCsvEncoding(file, displayName, expected, delim);
  if (encoding === 'utf-8') return { path: file, encoding };
  const to = path.join(workDir, 'transcoded', `${path.basename(file)}.utf8.csv`);
  await transcodeWindows1258(file, to);
  return { path: to, encoding };
}

/**
 * Spreadsheet formula injection: a text cell starting with = + - @ (or a tab / carriage return) is
 * run as a formula by Excel and LibreOffice when a CSV is opened. Prefixing a single quote makes it
 * plain text there. Apply where text leaves the project for people (CSV/XLSX downloads), never to
 * raw/ or the lake's data.
 */
export function neutraliseFormula(text: string): string;
export function neutraliseFormula(text: string | null): string | null;
export function neutraliseFormula(text: string | null): string | null {
  if (text === null) return null;
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** The same rule as a DuckDB expression over a VARCHAR expression (for generated export queries). */
export function neutraliseFormulaSql(expr: string): string {
  return `CASE WHEN regexp_matches(${expr}, '^[=+\\-@\\t\\r]') THEN '''' || ${expr} ELSE ${expr} END`;
}
