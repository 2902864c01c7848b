/**
 * A small RFC 4180 parser for small files (registries, seeds): UTF-8 (BOM stripped), any separator,
 * quoted fields with "" escapes and embedded line breaks, CRLF or LF. Bulk CSV (dossiers) is read by
 * DuckDB, never by this.
 */
import { readFile, stat } from 'node:fs/promises';
import { PipelineInputError } from '../errors.js';

export interface CsvRecord {
  /** 1-based line where the record starts (header = line 1). */
  readonly line: number;
  readonly fields: string[];
}

/** Parse CSV text into records; throws PipelineInputError on an unterminated quote or stray quote. */
export function parseCsvText(text: string, file: string, sep = ','): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let recordLine = 1;
  const endRecord = (): void => {
    fields.push(field);
    out.push({ line: recordLine, fields });
    fields = [];
    field = '';
    afterQuote = false;
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === sep) {
      fields.push(field);
      field = '';
      afterQuote = false;
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else if (ch === '"') {
      if (field !== '' || afterQuote) {
        throw new PipelineInputError('csv', file, 'a quote inside an unquoted field (RFC 4180: quote the whole field and double inner quotes)', { row: line, code: 'not_csv' });
      }
      quoted = true;
    } else {
      if (afterQuote) throw new PipelineInputError('csv', file, 'text after a closing quote', { row: line, code: 'not_csv' });
      field += ch;
    }
  }
  if (quoted) throw new PipelineInputError('csv', file, 'a quoted field is not closed before the end of the file', { row: recordLine, code: 'not_csv' });
  if (field !== '' || fields.length > 0 || afterQuote) endRecord();
  return out;
}

/** Read a small UTF-8 CSV file (at most `maxBytes`, default 20 MiB) into records. */
export async function readCsvFile(path: string, file: string, opts: { sep?: string; maxBytes?: number } = {}): Promise<CsvRecord[]> {
  const max = opts.maxBytes ?? 20 * 1024 * 1024;
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    throw new PipelineInputError('csv', file, 'the file cannot be opened', { cause: err, code: 'unreadable' });
  }
  if (size > max) throw new PipelineInputError('csv', file, `the file is ${size} bytes, above the ${max}-byte limit for a small CSV`, { code: 'too_large' });
  const bytes = await readFile(path);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    throw new PipelineInputError('csv', file, 'the file is not UTF-8 (saved as Windows-1258 / ANSI? save it as "CSV UTF-8")', { cause: err, code: 'encoding' });
  }
  return parseCsvText(text.normalize('NFC'), file, opts.sep ?? ',');
}
