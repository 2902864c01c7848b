/**
 * PAR Index (Chỉ số cải cách hành chính) decision table of a province's sở, ban, ngành for one year.
 *
 * The layout (as the demo generator writes it: functions/generator/par-xlsx.ts):
 *   1 "ỦY BAN NHÂN DÂN <TỈNH …>"   2 "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM <yyyy> CỦA CÁC SỞ, BAN, NGÀNH"
 *   3 "(Kèm theo Quyết định số <decisionNo> của Ủy ban nhân dân <tỉnh …>)"
 *   5–6 a 2-row merged header: STT | Đơn vị | per field "<no>. <name>" over "Điểm tối đa / Tự đánh giá /
 *       Thẩm định" | "Điểm điều tra xã hội học" over "Điểm tối đa / Đạt được" | "Tổng điểm" over
 *       "Điểm tối đa / Đạt được" | "Xếp hạng" | "Xếp loại"
 *   7… one row per unit (STT 1, 2 …), scores as numbers with 2 decimals (`#,##0.00`).
 *
 * `readParXlsx` finds the header by content (a "STT" row followed by a row of "Điểm tối đa" cells),
 * maps groups by their titles, and accepts numbers stored as numbers or as vi-VN text ("6,50").
 * Decisions that publish only the final scores load too: a field group "Điểm tối đa / Đạt được" (or
 * "/ Thẩm định", no "Tự đánh giá") gives `self_points` null, and a table without "Xếp loại" gives
 * `band` null (not published; never derived from the total).
 * Checks per unit row: every score ≤ its maximum, total = Σ appraised + survey (±0,01) and
 * total max = Σ field max + survey max (±0,01); a failing row becomes one quarantine record
 * (row_no = sheet row number), the others land: rowsRead = totals.length + quarantine.length.
 */
import { basename } from 'node:path';
import { PipelineInputError } from '../../errors.js';
import { ParField, ParTotal, type Agency, type QuarantineRecord } from '../../schemas/index.js';
import { ViParseError } from '../../vi/errors.js';
import { matchAgency, normalizeName } from '../../vi/names.js';
import { parseViNumber } from '../../vi/numbers.js';
import {
  cellFault,
  cellFaultHint,
  cellRef,
  cellScalar,
  cellText,
  sha256File,
  streamRows,
  type CellValue,
  type SheetRow,
  type XlsxReadOptions,
} from './common.js';

const SCOPE = 'par';
const TOLERANCE = 0.01 + 1e-9;

export interface ParReadResult {
  readonly sourceFile: string;
  readonly rawHash: string;
  readonly year: number;
  readonly decisionNo: string | null;
  /** One record per (valid unit row × field). */
  readonly fields: ParField[];
  /** One record per valid unit row. */
  readonly totals: ParTotal[];
  readonly quarantine: QuarantineRecord[];
  /** Unit rows read = totals.length + quarantine.length. */
  readonly rowsRead: number;
  readonly unmatchedUnits: string[];
}

export interface ParReadOptions extends XlsxReadOptions {
  readonly registry?: readonly Agency[];
  /** Year to use when the title has no "năm yyyy". */
  readonly year?: number;
  /** Sheets left unread: a template tab before the decision's table (readParXlsx reads the workbook again without it). */
  readonly skipSheets?: readonly string[];
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

// ---------------------------------------------------------------------------------------------
// Reading

interface FieldCols {
  no: number;
  name: string;
  max: number;
  /** -1 when the decision publishes no self-assessment. */
  self: number;
  appraised: number;
}
interface Layout {
  stt: number;
  name: number;
  fields: FieldCols[];
  survey: { max: number; got: number };
  total: { max: number; got: number };
  rank: number;
  /** -1 when the decision publishes no band. */
  band: number;
}

const key = (v: CellValue | undefined): string => normalizeName(cellText(v));

function layoutFrom(topRow: SheetRow, subRow: SheetRow, file: string): Layout {
  const width = Math.max(topRow.values.length, subRow.values.length);
  const topAt = (c: number): string => key(topRow.values[c]);
  const subAt = (c: number): string => key(subRow.values[c]);
  const titleFor = (c: number): { col: number; text: string } => {
    for (let x = c; x >= 1; x--) {
      const t = cellText(topRow.values[x]);
      if (t !== '') return { col: x, text: t };
    }
    return { col: c, text: '' };
  };
  let stt = -1;
  let name = -1;
  let rank = -1;
  let band = -1;
  for (let c = 1; c < width; c++) {
    const t = topAt(c) || subAt(c);
    if (t === 'stt' || t === 'số tt' || t === 'số thứ tự') stt = c;
    else if (stt > 0 && name < 0 && t !== '' && !t.startsWith('điểm')) name = c;
    if (/^xếp hạng/u.test(t)) rank = c;
    if (/^xếp loại/u.test(t)) band = c;
  }
  const groups: { title: string; cols: { col: number; sub: string }[] }[] = [];
  for (let c = 1; c < width; c++) {
    const s = subAt(c);
    if (s === '') continue;
    if (/^điểm tối đa/u.test(s)) groups.push({ title: titleFor(c).text, cols: [] });
    groups.at(-1)?.cols.push({ col: c, sub: s });
  }
  const fields: FieldCols[] = [];
  let survey: Layout['survey'] | null = null;
  let total: Layout['total'] | null = null;
  const problems: string[] = [];
  const colOf = (g: (typeof groups)[number], re: RegExp): number => g.cols.find((x) => re.test(x.sub))?.col ?? -1;
  for (const g of groups) {
    const title = normalizeName(g.title);
    const max = g.cols[0]?.col ?? -1;
    if (/điều tra|khảo sát|xã hội học/u.test(title)) {
      survey = { max, got: colOf(g, /đạt|điểm$/u) };
    } else if (/^tổng/u.test(title)) {
      total = { max, got: colOf(g, /đạt|điểm$/u) };
    } else {
      const m = /^(\d{1,2})\s*[.)/]?\s*(.+)$/u.exec(g.title);
      const self = colOf(g, /tự đánh giá|tự chấm/u);
      // The score that counts: "Thẩm định", else (final scores only) "Đạt được" / "Điểm đạt" / "Kết quả".
      let appraised = colOf(g, /thẩm định/u);
      if (appraised < 0) appraised = g.cols.slice(1).find((x) => x.col !== self && /đạt|kết quả|chính thức/u.test(x.sub))?.col ?? -1;
      if (appraised < 0 && self < 0 && g.cols.length === 2) appraised = g.cols[1]!.col;
      if (appraised < 0) problems.push(`field "${g.title}" lacks a "Thẩm định" (or "Đạt được") column`);
      fields.push({ no: m ? Number(m[1]) : fields.length + 1, name: (m?.[2] ?? g.title).trim(), max, self, appraised });
    }
  }
  if (stt < 0) problems.push('no "STT" column');
  if (name < 0) problems.push('no unit-name column after "STT"');
  if (fields.length === 0) problems.push('no field groups ("<no>. <name>" over "Điểm tối đa / Tự đánh giá / Thẩm định")');
  if (!survey || survey.got < 0) problems.push('no "Điểm điều tra xã hội học" group with "Điểm tối đa / Đạt được"');
  if (!total || total.got < 0) problems.push('no "Tổng điểm" group with "Điểm tối đa / Đạt được"');
  if (rank < 0) problems.push('no "Xếp hạng" column');
  if (problems.length > 0 || !survey || !total) {
    throw new PipelineInputError(SCOPE, file, `the PAR header (sheet rows ${topRow.number}–${subRow.number}) is incomplete: ${problems.join('; ')}`, { row: topRow.number, code: 'layout' });
  }
  return { stt, name, fields, survey, total, rank, band };
}

interface Problem {
  field: string;
  reason: string;
  raw: string | null;
}

/** A cell's fault ("F14: formula without a computed value (…)") as a problem, or false. */
function faulty(row: SheetRow, col: number, field: string, problems: Problem[]): boolean {
  const fault = cellFault(row.values[col]);
  if (fault === null) return false;
  problems.push({ field, reason: `${cellRef(col, row.number)}: ${fault} (${field}; ${cellFaultHint(fault)})`, raw: String(cellScalar(row.values[col])) });
  return true;
}

function num(row: SheetRow, col: number, field: string, problems: Problem[]): number {
  if (faulty(row, col, field, problems)) return Number.NaN;
  const raw = cellScalar(row.values[col]);
  if (raw === null) {
    problems.push({ field, reason: `${field} is empty`, raw: null });
    return Number.NaN;
  }
  if (typeof raw === 'number') {
    if (raw < 0) problems.push({ field, reason: `${field} (${raw}) is negative`, raw: String(raw) });
    return raw;
  }
  try {
    const v = parseViNumber(String(raw));
    if (v < 0) problems.push({ field, reason: `${field} (${v}) is negative`, raw: String(raw) });
    return v;
  } catch (err) {
    if (!(err instanceof ViParseError)) throw err;
    problems.push({ field, reason: `${field} ${JSON.stringify(String(raw))} is not a vi-VN number`, raw: String(raw) });
    return Number.NaN;
  }
}

const fmt = (x: number): string => String(round2(x)).replace('.', ',');

/** A unit row of a table laid out as `l`: an STT number (1, "2.") in its STT column. */
function unitRow(row: SheetRow, l: Layout): boolean {
  const stt = cellScalar(row.values[l.stt]);
  return (typeof stt === 'number' && Number.isInteger(stt) && stt >= 1) || (typeof stt === 'string' && /^\d{1,4}\.?$/u.test(stt));
}

/** A score in one of the table's figure columns (a field's self-assessed or appraised points, the survey, the total). */
function scoreFigures(row: SheetRow, l: Layout): boolean {
  return [...l.fields.flatMap((f) => [f.self, f.appraised]), l.total.got, l.survey.got].some((c) => c >= 0 && cellScalar(row.values[c]) !== null);
}

/**
 * Read a PAR decision table. Throws PipelineInputError naming the file when it is not an XLSX, has
 * no recognisable 2-row header, a second table (with unit rows) on a later sheet (its units would be left unread), or
 * no year (title "… NĂM yyyy …", unless `opts.year`).
 */
export async function readParXlsx(path: string, opts: ParReadOptions = {}): Promise<ParReadResult> {
  const file = opts.sourceFile ?? basename(path);
  let year: number | null = null;
  let decisionNo: string | null = null;
  let prev: SheetRow | null = null;
  let layout: Layout | null = null;
  let layoutSheet: string | null = null;
  /** The row before, on the sheets after the table's; a second table's header found there. */
  let after: SheetRow | null = null;
  let second: { sheet: string; row: number } | null = null;
  /** A readable PAR header on a sheet after the table's, waiting for a unit row under it. */
  let later: { sheet: string; row: number; layout: Layout } | null = null;
  const dataRows: SheetRow[] = [];
  const orphans: SheetRow[] = [];

  const skipped = new Set(opts.skipSheets ?? []);
  await streamRows(path, { file, scope: SCOPE, limits: opts.limits }, (row) => {
    if (skipped.has(row.sheet)) return;
    if (layout === null) {
      const joined = row.values.map((v) => cellText(v)).filter(Boolean).join(' ');
      const y = /chỉ số cải cách hành chính(?:[^\d]{0,40}?)năm (\d{4})/iu.exec(joined) ?? /\bnăm (\d{4})\b/iu.exec(joined);
      if (year === null && y && /cải cách hành chính|par/iu.test(joined)) year = Number(y[1]);
      const d = /quyết định số\s*([^\s,;)]+)/iu.exec(joined);
      if (decisionNo === null && d) decisionNo = d[1] ?? null;
      const isSub = row.values.some((v) => /^điểm tối đa/u.test(key(v)));
      if (isSub && prev && prev.sheet === row.sheet && prev.values.some((v) => key(v) === 'stt')) {
        layout = layoutFrom(prev, row, file);
        layoutSheet = row.sheet;
      }
      prev = row;
      return;
    }
    if (row.sheet !== layoutSheet) {
      // A sheet after the table's: a second PAR table there — a header this reader would read, with a unit
      // row under it: another group of units, a copy — would be left unread, its units neither landed nor
      // quarantined, so the workbook is refused (below). A criteria annex ("STT / Điểm tối đa" without the
      // self-assessed, appraised, total and rank groups) or a template tab without a scored unit is no table.
      if (later?.sheet === row.sheet && unitRow(row, later.layout) && scoreFigures(row, later.layout)) {
        second = { sheet: later.sheet, row: later.row };
        return 'stop';
      }
      if (row.values.some((v) => /^điểm tối đa/u.test(key(v))) && after?.sheet === row.sheet && after.values.some((v) => key(v) === 'stt')) {
        try {
          later = { sheet: row.sheet, row: after.number, layout: layoutFrom(after, row, file) };
        } catch (err) {
          if (!(err instanceof PipelineInputError)) throw err;
        }
      }
      after = row;
      return;
    }
    const l: Layout = layout;
    const texts = row.values.map((v) => cellText(v));
    if (!texts.some(Boolean)) return;
    if (unitRow(row, l)) {
      dataRows.push(row);
      return;
    }
    if (scoreFigures(row, l)) orphans.push(row);
  });

  const found = layout as Layout | null;
  const another = second as { sheet: string; row: number } | null;
  // The first table scored no unit (a template tab before the decision's): the decision is the later one.
  if (another && found && !dataRows.some((r) => scoreFigures(r, found))) return readParXlsx(path, { ...opts, skipSheets: [...skipped, String(layoutSheet as string | null)] });
  if (found === null) {
    throw new PipelineInputError(SCOPE, file, 'no PAR header found (a "STT" row followed by a row of "Điểm tối đa / Tự đánh giá / Thẩm định" or "Điểm tối đa / Đạt được" cells)', { code: 'layout' });
  }
  if (another) {
    throw new PipelineInputError(
      SCOPE,
      file,
      `holds a second PAR table, on the sheet ${JSON.stringify(another.sheet)} (its "STT" header row is row ${another.row}) after the one on ${JSON.stringify(layoutSheet)}: save each table as a workbook of its own and file them apart`,
      { row: another.row, code: 'layout' },
    );
  }
  const finalYear: number | null = year ?? opts.year ?? null;
  if (finalYear === null) {
    throw new PipelineInputError(SCOPE, file, 'no year in the title ("… CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM yyyy …"), so the PAR year is unknown', { code: 'layout' });
  }
  const rawHash = opts.rawHash ?? (await sha256File(path));
  const l: Layout = found;
  const fields: ParField[] = [];
  const totals: ParTotal[] = [];
  const quarantine: QuarantineRecord[] = [];
  const unmatched = new Set<string>();
  const rawRecord = (row: SheetRow): string => {
    const cells: Record<string, string | number | boolean | null> = {};
    for (let c = 1; c < row.values.length; c++) {
      const v = cellScalar(row.values[c]);
      if (v !== null) cells[`col${c}`] = v;
    }
    return JSON.stringify({ sheet: row.sheet, sheet_row: row.number, cells });
  };
  const quarantineRow = (row: SheetRow, problems: Problem[]): void => {
    const first = problems[0] ?? { field: 'row', reason: 'invalid row', raw: null };
    quarantine.push({
      dataset: 'par_totals',
      source_file: file,
      raw_hash: rawHash,
      row_no: row.number,
      field: first.field,
      reason: `sheet row ${row.number}: ${problems.map((p) => p.reason).join('; ')}`,
      raw_value: first.raw,
      raw_record: rawRecord(row),
    });
  };

  for (const row of dataRows) {
    const v = row.values;
    const problems: Problem[] = [];
    const name = cellText(v[l.name]);
    if (name === '') problems.push({ field: 'agency_name', reason: 'the unit name is empty', raw: null });
    const scores = l.fields.map((f) => {
      const label = `field ${f.no}`;
      const max = num(row, f.max, `${label} max`, problems);
      const self = f.self < 0 ? null : num(row, f.self, `${label} self`, problems);
      const appraised = num(row, f.appraised, `${label} appraised`, problems);
      return { f, max, self, appraised };
    });
    const surveyMax = num(row, l.survey.max, 'survey max', problems);
    const survey = num(row, l.survey.got, 'survey', problems);
    const totalMax = num(row, l.total.max, 'total max', problems);
    const total = num(row, l.total.got, 'total', problems);
    const rankRaw = cellScalar(v[l.rank]);
    const rank = typeof rankRaw === 'number' ? rankRaw : Number(String(rankRaw ?? '').replace(/\.$/u, ''));
    if (faulty(row, l.rank, 'rank', problems)) {
      // named above
    } else if (!Number.isInteger(rank) || rank < 1) problems.push({ field: 'rank', reason: `rank ${JSON.stringify(rankRaw)} is not a whole number ≥ 1`, raw: rankRaw === null ? null : String(rankRaw) });
    const band = l.band < 0 ? null : cellText(v[l.band]);
    if (band === '') problems.push({ field: 'band', reason: 'the band (Xếp loại) is empty', raw: null });
    if (problems.length === 0) {
      for (const s of scores) {
        if (s.self !== null && s.self > s.max + 1e-9) problems.push({ field: `field ${s.f.no} self`, reason: `field ${s.f.no} self-assessed ${fmt(s.self)} > max ${fmt(s.max)}`, raw: String(s.self) });
        if (s.appraised > s.max + 1e-9) problems.push({ field: `field ${s.f.no} appraised`, reason: `field ${s.f.no} appraised ${fmt(s.appraised)} > max ${fmt(s.max)}`, raw: String(s.appraised) });
      }
      if (survey > surveyMax + 1e-9) problems.push({ field: 'survey', reason: `survey ${fmt(survey)} > max ${fmt(surveyMax)}`, raw: String(survey) });
      const appraisedSum = scores.reduce((a, s) => a + s.appraised, 0);
      const maxSum = scores.reduce((a, s) => a + s.max, 0);
      if (Math.abs(total - (appraisedSum + survey)) > TOLERANCE) {
        problems.push({ field: 'total', reason: `total (${fmt(total)}) ≠ sum of appraised + survey (${fmt(appraisedSum + survey)})`, raw: String(total) });
      }
      if (Math.abs(totalMax - (maxSum + surveyMax)) > TOLERANCE) {
        problems.push({ field: 'total max', reason: `total max (${fmt(totalMax)}) ≠ sum of field max + survey max (${fmt(maxSum + surveyMax)})`, raw: String(totalMax) });
      }
      if (total > totalMax + 1e-9) problems.push({ field: 'total', reason: `total ${fmt(total)} > max ${fmt(totalMax)}`, raw: String(total) });
    }
    if (problems.length > 0) {
      quarantineRow(row, problems);
      continue;
    }
    let code: string | null = null;
    if (opts.registry) {
      code = matchAgency(name, opts.registry, { from: `${finalYear}-01-01`, to: `${finalYear}-12-31` })?.agency_code ?? null;
      if (code === null) unmatched.add(name);
    }
    const rowFields = scores.map((s) =>
      ParField.parse({
        year: finalYear,
        agency_code: code,
        agency_name: name,
        field_no: s.f.no,
        field_name: s.f.name,
        max_points: s.max,
        self_points: s.self,
        appraised_points: s.appraised,
      }),
    );
    const t = ParTotal.safeParse({
      year: finalYear,
      agency_code: code,
      agency_name: name,
      appraised_points: round2(scores.reduce((a, s) => a + s.appraised, 0)),
      appraised_max: round2(scores.reduce((a, s) => a + s.max, 0)),
      survey_points: survey,
      survey_max: surveyMax,
      total_points: total,
      total_max: totalMax,
      rank,
      band,
    });
    if (!t.success) {
      const issue = t.error.issues[0];
      quarantineRow(row, [{ field: String(issue?.path[0] ?? 'row'), reason: issue?.message ?? 'invalid', raw: null }]);
      continue;
    }
    fields.push(...rowFields);
    totals.push(t.data);
  }
  for (const o of orphans) {
    quarantineRow(o, [{ field: 'stt', reason: 'the row has scores but no STT number', raw: cellText(o.values[l.stt]) || null }]);
  }
  return {
    sourceFile: file,
    rawHash,
    year: finalYear,
    decisionNo,
    fields,
    totals,
    quarantine,
    rowsRead: dataRows.length + orphans.length,
    unmatchedUnits: [...unmatched],
  };
}
