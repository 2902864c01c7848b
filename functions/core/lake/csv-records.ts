/**
 * An exact count of a CSV file's records, independent of DuckDB's reader, to check what that reader
 * returned (landBulkChunk): every record must come back as a row or as a rejected record.
 *
 * DuckDB 1.5's reader can lose records without an error: with a quote opened and never closed in a
 * file larger than its read buffer (a 14 MB export is), the rows between that record and the next
 * buffer boundary vanish, and the rows after it come back as if nothing happened (100 000 rows, the
 * quote at row 10 000: 51 949 rows and one reject); read sequentially (`parallel = false`), or with
 * other files in the same scan, it returns the rows before the quote and no reject at all
 * (bench/history.md, change 79). The land therefore counts the records itself and refuses a file
 * whose count the reader does not match.
 *
 * The reading is RFC 4180's as DuckDB applies it (`quote = '"', escape = '"'`): a record ends at an
 * LF, a CR LF or a lone CR outside quotes; an empty line is no record (DuckDB skips it); a quote opens
 * a quoted value only at the start of a field (elsewhere it is text); inside one, two quotes are one
 * quote, and one quote closes it. A quote still open at the end of the file makes the rest of the file
 * one record (the unterminated one, which DuckDB should reject). The first record is the header.
 */
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';

export interface CsvRecordCount {
  /** Records of the file, the header included (0 for an empty file). */
  records: number;
  /** When a quote is still open at the end: the record it opened in (1 = the header) and the byte where that record starts. */
  unterminated?: { record: number; byte: number };
  /**
   * The file's empty lines outside quotes, when it has any: each run of them as the line number DuckDB's
   * reader gives its first (`line`: DuckDB counts an empty line as a line, a record holding line breaks
   * inside quotes as one; the header is line 1) and how many there are (`n`). A rejected record's
   * `line` less 1 and less the empty lines before it is its data-row number (landBulkChunk).
   */
  blankLines?: { line: number; n: number }[];
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** Outside a quoted value: at a field's start, or inside an unquoted value. */
const FIELD_START = 0;
const UNQUOTED = 1;
/** Inside a quoted value; after a quote inside one (a second quote, or the value's end). */
const QUOTED = 2;
const QUOTE_SEEN = 3;

/** Bytes read at a time (4 MiB read the 1 M bench's 84 exports in half the time of 1 MiB). */
export const READ_BYTES = 4 * 2 ** 20;

/**
 * The record count as a state machine fed the file's bytes in order, a chunk at a time (a record, a
 * quoted value, an escaped quote or a CR LF may be cut by a chunk's end).
 */
class RecordCounter {
  private readonly sep: number;
  private records = 0;
  private state = FIELD_START;
  /** The current record holds a byte (an empty line is no record). */
  private filled = false;
  /** The previous byte was a CR that ended a record (an LF right after it is part of that line break). */
  private afterCr = false;
  private recordStart = 0;
  private offset = 0;
  /** Empty lines so far, and their runs (CsvRecordCount.blankLines). */
  private blanks = 0;
  private readonly blankRuns: { line: number; n: number }[] = [];

  constructor(delim: string) {
    this.sep = delim.charCodeAt(0);
    if (delim.length !== 1 || this.sep > 0x7f) throw new Error(`countCsvRecords: the separator must be one ASCII character, not ${JSON.stringify(delim)}`);
  }

  feed(view: Buffer): void {
    const { sep, offset } = this;
    let { records, state, filled, afterCr, recordStart } = this;
    const end = view.length;
    const quoted = view.indexOf(QUOTE) !== -1;
    let nextCr = view.indexOf(CR);
    let i = 0;
    while (i < end) {
      // At a record's start in a chunk with no quote: whole lines at a time (memchr for the line breaks),
      // a record per non-empty line, an LF or CR LF ending each. A lone CR inside a line, or the
      // chunk's last (unfinished) line, goes byte by byte below.
      if (!quoted && state === FIELD_START && !filled && !afterCr) {
        let from = i;
        for (let nl = view.indexOf(LF, from); nl !== -1; nl = view.indexOf(LF, from)) {
          if (nextCr !== -1 && nextCr < from) nextCr = view.indexOf(CR, from);
          if (nextCr !== -1 && nextCr < nl - 1) break;
          if (nl - from > (nl > from && view[nl - 1] === CR ? 1 : 0)) records++;
          else this.blank(records);
          from = nl + 1;
        }
        recordStart = offset + from;
        i = from;
        if (i >= end) break;
      }
      const b = view[i]!;
      i++;
      if (afterCr) {
        afterCr = false;
        if (b === LF) {
          recordStart = offset + i;
          continue;
        }
      }
      if (state === QUOTED) {
        if (b === QUOTE) state = QUOTE_SEEN;
        continue;
      }
      if (state === QUOTE_SEEN) {
        if (b === QUOTE) {
          state = QUOTED; // an escaped quote
          continue;
        }
        state = UNQUOTED; // the value is closed; what follows is this byte's (a separator, a line break, or stray text)
      }
      if (b === LF || b === CR) {
        if (filled) records++;
        else this.blank(records);
        filled = false;
        state = FIELD_START;
        afterCr = b === CR;
        recordStart = offset + i;
      } else if (b === sep) {
        filled = true;
        state = FIELD_START;
      } else {
        filled = true;
        state = b === QUOTE && state === FIELD_START ? QUOTED : UNQUOTED;
      }
    }
    this.records = records;
    this.state = state;
    this.filled = filled;
    this.afterCr = afterCr;
    this.recordStart = recordStart;
    this.offset = offset + end;
  }

  /** An empty line after `records` records: DuckDB's line number for it is those records and the empty lines before it, plus one. */
  private blank(records: number): void {
    const line = records + this.blanks + 1;
    this.blanks++;
    const last = this.blankRuns[this.blankRuns.length - 1];
    if (last && last.line + last.n === line) last.n++;
    else this.blankRuns.push({ line, n: 1 });
  }

  result(): CsvRecordCount {
    const blanks = this.blankRuns.length > 0 ? { blankLines: this.blankRuns.map((r) => ({ ...r })) } : {};
    if (this.state === QUOTED) return { records: this.records + 1, unterminated: { record: this.records + 1, byte: this.recordStart }, ...blanks };
    return { records: this.filled ? this.records + 1 : this.records, ...blanks };
  }
}

/** Counts `file`'s records (see the module comment), READ_BYTES at a time; `delim` is one ASCII byte. */
export async function countCsvRecords(file: string, delim: string): Promise<CsvRecordCount> {
  const counter = new RecordCounter(delim);
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    for (let offset = 0; ; ) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
      if (bytesRead === 0) break;
      counter.feed(bytesRead === buf.length ? buf : buf.subarray(0, bytesRead));
      offset += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return counter.result();
}

/**
 * The same count of a small file, read whole in one synchronous call: no round trip through the event
 * loop, which on a busy machine cost ≈ 1 ms each (four a file) while DuckDB's threads took the cores
 * (bench/history.md, change 89). For files of a few hundred kilobytes at most: the read blocks.
 */
export function countCsvRecordsSync(file: string, delim: string): CsvRecordCount {
  const counter = new RecordCounter(delim);
  counter.feed(readFileSync(file));
  return counter.result();
}

/** The line (1-based) of a byte offset of `file`: for messages, on the rare path that needs one. */
export async function lineAt(file: string, byte: number): Promise<number> {
  let line = 1;
  let offset = 0;
  let cr = false;
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    while (offset < byte) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, byte - offset), offset);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) {
        const b = buf[i]!;
        if (b === LF) {
          if (!cr) line++;
          cr = false;
        } else if (b === CR) {
          line++;
          cr = true;
        } else cr = false;
      }
      offset += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return line;
}

/**
 * The lines of `file` that hold at least one byte, split at LF, CR LF or a lone CR, quotes not read:
 * what DuckDB's reader returns, one row each, in its line-based mode (`null_padding = true`, the
 * vendor-export path: profiles/load.ts), where an empty line is skipped and a line break inside quotes
 * is refused with an error. The check that no line of a vendor export went missing between the file
 * and the landing.
 */
export async function countLines(file: string): Promise<number> {
  let lines = 0;
  let filled = false;
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(READ_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) {
        const b = buf[i]!;
        if (b === LF || b === CR) {
          if (filled) lines++;
          filled = false;
        } else filled = true;
      }
    }
  } finally {
    await handle.close();
  }
  return filled ? lines + 1 : lines;
}
