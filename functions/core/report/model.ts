/**
 * The report as a document model: every figure already formatted vi-VN, laid out as an
 * administrative report of Nghị định 30/2020/NĐ-CP (issuing body and national motto side by side,
 * number line, place and date, title, body, "Nơi nhận" and the signature block). The DOCX and PDF
 * writers render this one model, so both say the same thing.
 */
import { formatViDate, formatViNumber, formatViPeriod, shownUnits } from '../vi/index.js';
import type { AgencyPeriod, Figures, Merger, MonthsSum, ReportData } from './data.js';

export type Align = 'left' | 'center' | 'right';

export interface TableColumn {
  header: string;
  /** Relative width (the writers scale widths to the text width). */
  width: number;
  align: Align;
}

export interface TableRow {
  cells: string[];
  bold?: boolean;
  /** Footnote numbers shown after the text of cell `noteCell` (the unit name). */
  notes?: number[];
  noteCell?: number;
}

export type Block =
  | { kind: 'heading'; level: 1 | 2; text: string }
  | { kind: 'paragraph'; text: string; italic?: boolean }
  | { kind: 'table'; id: string; caption?: string; columns: TableColumn[]; rows: TableRow[]; landscape?: boolean; fontSize?: number }
  | { kind: 'chart'; id: 'on-time-by-agency' | 'monthly-trend'; title: string };

export interface Chart {
  onTimeByAgency: { label: string; value: number }[];
  trend: { label: string; received: number; onTimeRate: number | null }[];
}

export interface ReportDoc {
  period: string;
  /** Fixed document date: the snapshot's as-of date (never the clock). */
  documentDate: string;
  issuer: [string, string];
  motto: [string, string];
  numberLine: string;
  placeDate: string;
  title: string;
  subtitle: string;
  /** Shown on the first page when the data is synthetic. */
  banner?: string;
  blocks: Block[];
  /** Footnotes by number (units changed by the mergers). */
  footnotes: Record<number, string>;
  recipients: string[];
  signer: { title: string; note: string };
  charts: Chart;
}

/** The dossier sources by the names officials use (a snapshot frozen without one says which). */
const SOURCE_NAMES: Record<string, string> = {
  portal: 'Cổng Dịch vụ công của tỉnh',
  nsw: 'Cơ chế một cửa quốc gia',
};

// ---- vi-VN formatting ------------------------------------------------------------------------

export const fmtCount = (n: number): string => formatViNumber(n);
/** A 0–1 rate as a percent with two decimals ("83,45%"); "–" without a denominator. */
export const fmtRate = (r: number | null): string => (r === null ? '–' : `${formatViNumber(r * 100, 2)}%`);
export const fmtScore = (n: number): string => formatViNumber(n, 2);
const sign = (s: string, n: number): string => (n > 0 ? `+${s}` : s);
export const fmtCountChange = (n: number): string => sign(formatViNumber(n), n);
export const fmtScoreChange = (n: number | null): string => (n === null ? '–' : sign(formatViNumber(n, 2), n));
/**
 * Rate change in percentage points ("+2,15 điểm %"): the difference of the two rates as fmtRate shows
 * them, so it is what a reader subtracting the printed rates gets (72,97% and 45,95% are +27,02, where
 * the unrounded rates' difference rounded to +27,03).
 */
export const fmtRateChange = (a: number | null, b: number | null): string => {
  if (a === null || b === null) return '–';
  const d = (shownUnits(a * 100, 2) - shownUnits(b * 100, 2)) / 100;
  return `${sign(formatViNumber(d, 2), d)} điểm %`;
};
export const fmtRankChange = (n: number | null): string => (n === null ? '–' : n > 0 ? `↑${n}` : n < 0 ? `↓${-n}` : '=');
const pct = (part: number, whole: number): string => (whole > 0 ? `${formatViNumber((part / whole) * 100, 2)}%` : '–');

// ---- ranks -----------------------------------------------------------------------------------

/**
 * On-time rank of each agency of the month: by on-time rate as the report prints it (a percent to two
 * decimals, fmtRate), highest first; agencies without a resolved dossier are not ranked; equal rates share a
 * rank (1, 1, 3) — two agencies printed at 95,12% are equal to the reader, whatever the digits beyond — and
 * among equals a larger number resolved does not win (a rate is a rate).
 */
export function onTimeRanks(agencies: readonly AgencyPeriod[]): Map<string, number> {
  const ranked = agencies.filter((a) => a.resolved_total > 0 && a.on_time_rate !== null);
  const printed = (a: AgencyPeriod): number => shownUnits((a.on_time_rate ?? 0) * 100, 2);
  const ranks = new Map<string, number>();
  for (const a of ranked) {
    const better = ranked.filter((b) => printed(b) > printed(a)).length;
    ranks.set(a.agency_code, better + 1);
  }
  return ranks;
}

/**
 * The footnote of a unit formed or enlarged by a merger. A predecessor with the unit's own name (Sở Khoa
 * học và Công nghệ merged with Sở Thông tin và Truyền thông under the old name) is the old unit: the new
 * one is formed by merging it, marked "(cũ)", with the others, never said to take over itself; a unit
 * whose predecessors all bear other names takes them over.
 */
export function mergerNote(m: { agency_name: string; break_date: string; predecessor_names: string[] }): string {
  const date = formatViDate(m.break_date);
  const names = m.predecessor_names;
  const tail = ` (sắp xếp tổ chức bộ máy năm ${m.break_date.slice(0, 4)}).`;
  if (names.length === 0) return `${m.agency_name}: hình thành từ ngày ${date} trên cơ sở đơn vị tiền thân${tail}`;
  if (names.includes(m.agency_name)) {
    const parts = names.map((n) => (n === m.agency_name ? `${n} (cũ)` : n));
    const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} và ${parts[parts.length - 1]}`;
    return `${m.agency_name}: từ ngày ${date}, hợp nhất ${list}${tail}`;
  }
  return `${m.agency_name}: từ ngày ${date} tiếp nhận ${names.join(', ')}${tail}`;
}

/**
 * The province-level unit's name and what it is, from its registry name: "UBND tỉnh Sông Xanh" / "Tỉnh Sông
 * Xanh" → Sông Xanh, a tỉnh; "UBND thành phố Huế" / "Thành phố Hà Nội" → a centrally-run city, a thành phố — the
 * word its documents use ("UBND THÀNH PHỐ HUẾ", "toàn thành phố"). Without a level word: the name as given, a tỉnh.
 */
export function place(provinceName: string): { name: string; level: 'tỉnh' | 'thành phố' } {
  const unit = provinceName.replace(/^(ubnd|ủy ban nhân dân|uỷ ban nhân dân)\s+/iu, '');
  const m = /^(tỉnh|thành phố)\s+/iu.exec(unit);
  return { name: unit.slice(m?.[0].length ?? 0).trim() || provinceName, level: m?.[1]?.toLocaleLowerCase('vi-VN') === 'thành phố' ? 'thành phố' : 'tỉnh' };
}

/** "Sông Xanh" from "UBND tỉnh Sông Xanh" / "Tỉnh Sông Xanh" (place). */
export const placeName = (provinceName: string): string => place(provinceName).name;

const monthLabel = (year: number, month: number): string => formatViPeriod('month', year, month);

/** 'tháng 6/2025' from the pack's period '2025-06' (the DOCX and PDF document properties). */
export function periodMonthText(period: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  return m ? formatViPeriod('month', Number(m[1]), Number(m[2])).toLocaleLowerCase('vi-VN') : period;
}

/**
 * The period a quarter's last month also reports on, as Vietnamese reports name it: 'quý I năm 2025',
 * '6 tháng đầu năm 2025', '9 tháng đầu năm 2025', 'năm 2025'; undefined in the other months.
 */
export function cumulativeLabel(year: number, month: number): string | undefined {
  return { 3: `quý I năm ${year}`, 6: `6 tháng đầu năm ${year}`, 9: `9 tháng đầu năm ${year}`, 12: `năm ${year}` }[month];
}

/** 'tháng 6 và 6 tháng đầu năm 2025' at a quarter's end, 'tháng 5 năm 2025' otherwise. */
export function reportPeriodText(year: number, month: number): string {
  const cumulative = cumulativeLabel(year, month);
  return cumulative ? `tháng ${month} và ${cumulative}` : `tháng ${month} năm ${year}`;
}

/**
 * The year to date against the same months a year before (flows only: c6 and the pending counts are states
 * at a date, not sums), '' when the snapshot lacks those months: ' So với cùng kỳ năm 2024 (từ ngày 1/1/2024 đến
 * hết ngày 30/6/2024): hồ sơ mới tiếp nhận 324 (cùng kỳ 300, +24), …'.
 */
export function sameMonthsText(year: number, month: number, ytd: Figures, ly: MonthsSum | undefined): string {
  if (!ly) return '';
  const vs = (a: number, b: number): string => `${fmtCount(a)} (cùng kỳ ${fmtCount(b)}, ${fmtCountChange(a - b)})`;
  const end = new Date(Date.UTC(year - 1, month, 0)).toISOString().slice(0, 10);
  return (
    ` So với cùng kỳ năm ${year - 1} (từ ngày ${formatViDate(`${year - 1}-01-01`)} đến hết ngày ${formatViDate(end)}): ` +
    `hồ sơ mới tiếp nhận ${vs(ytd.received_new, ly.received_new)}, đã giải quyết ${vs(ytd.resolved_total, ly.resolved_total)}, ` +
    `quá hạn ${vs(ytd.resolved_late, ly.resolved_late)}; tỷ lệ giải quyết đúng hạn ${fmtRate(ytd.on_time_rate)} ` +
    `(cùng kỳ ${fmtRate(ly.on_time_rate)}, ${fmtRateChange(ytd.on_time_rate, ly.on_time_rate)}).`
  );
}

/** One unit of a ranked score table (766 or PAR). */
interface RankedUnit {
  rank: number | null;
  name: string;
  score: number;
  change: number | null;
  rankChange: number | null;
  band: string;
  agencyCode: string | null;
}

/** Rank, unit, score, score change, rank change, band: the 766 and the PAR tables share this layout. */
function rankedTable(id: string, caption: string, scoreHeader: string, noteOf: ReadonlyMap<string, number>, units: readonly RankedUnit[]): Block {
  return {
    kind: 'table',
    id,
    caption,
    fontSize: 11,
    columns: [
      { header: 'Hạng', width: 8, align: 'center' },
      { header: 'Cơ quan, đơn vị', width: 42, align: 'left' },
      { header: scoreHeader, width: 12, align: 'right' },
      { header: 'Tăng/giảm điểm', width: 13, align: 'right' },
      { header: 'Thay đổi hạng', width: 11, align: 'center' },
      { header: 'Xếp loại', width: 14, align: 'left' },
    ],
    rows: units.map((u) => {
      const note = u.agencyCode ? noteOf.get(u.agencyCode) : undefined;
      return {
        cells: [u.rank === null ? '–' : String(u.rank), u.name, fmtScore(u.score), fmtScoreChange(u.change), fmtRankChange(u.rankChange), u.band],
        ...(note ? { notes: [note], noteCell: 1 } : {}),
      };
    }),
  };
}

/**
 * The footnotes of the year's mergers: one per unit formed or enlarged, numbered in agency code order,
 * and the note each agency code carries: the unit's own, and its predecessors' the same one (a table of a
 * year before the mergers, the PAR Index's, lists the old units; each of them is marked, not only the one
 * whose code the merged unit kept). A code that is a unit of its own note keeps that note.
 */
export function mergerFootnotes(mergers: readonly Merger[]): { footnotes: Record<number, string>; noteOf: Map<string, number> } {
  const footnotes: Record<number, string> = {};
  const noteOf = new Map<string, number>();
  mergers.forEach((m, i) => {
    noteOf.set(m.agency_code, i + 1);
    footnotes[i + 1] = mergerNote(m);
  });
  mergers.forEach((m, i) => {
    for (const code of m.predecessor_codes) if (!noteOf.has(code)) noteOf.set(code, i + 1);
  });
  return { footnotes, noteOf };
}

/**
 * The place and date line of Nghị định 30/2020/NĐ-CP (Phụ lục I): the day left blank for the signer, and
 * a month below 3 written with a leading 0 ("tháng 01", "tháng 02"), as the decree asks of days below
 * 10 and of January and February.
 */
export function placeDateLine(place: string, date: Date): string {
  const m = date.getUTCMonth() + 1;
  return `${place}, ngày      tháng ${m < 3 ? `0${m}` : m} năm ${date.getUTCFullYear()}`;
}

// ---- the model -------------------------------------------------------------------------------

export function buildReportDoc(d: ReportData): ReportDoc {
  const { year, month } = d;
  const { name: placeText, level } = place(d.provinceName);
  const next = new Date(Date.UTC(year, month, 1));
  const cur = d.province.current;
  const prev = d.province.previous;
  const ly = d.province.lastYear;
  const ranks = onTimeRanks(d.agencies);

  const { footnotes, noteOf } = mergerFootnotes(d.mergers);

  const blocks: Block[] = [];
  const P = (text: string, italic = false): void => void blocks.push({ kind: 'paragraph', text, ...(italic ? { italic } : {}) });
  const H = (level: 1 | 2, text: string): void => void blocks.push({ kind: 'heading', level, text });
  // Tables are numbered as the document holds them: one left out (no late dossier, no 766 data) takes no number.
  let tables = 0;
  const tableNo = (): string => `Bảng ${++tables}`;

  P(
    `Thực hiện chế độ báo cáo định kỳ về công tác kiểm soát thủ tục hành chính, thực hiện cơ chế một cửa, một cửa liên thông, ` +
      `Sở Nội vụ báo cáo tình hình giải quyết thủ tục hành chính ${reportPeriodText(year, month)} trên địa bàn ${level} ${placeText} ` +
      `(số liệu chốt đến hết ngày ${formatViDate(d.asOf)}) như sau:`,
  );
  // A snapshot frozen without some months of a source (an operator's decision): the document says what it lacks.
  for (const g of d.missingSources) {
    const months = g.months.map((m) => m.split('-').map(Number) as [number, number]).map(([y, mo]) => `${mo}/${y}`);
    const list = months.length > 1 ? `các tháng ${months.slice(0, -1).join(', ')} và ${months.at(-1)}` : `tháng ${months[0]}`;
    const those = months.length > 1 ? 'các tháng' : 'tháng';
    // An NSW unit's own export (`nsw/<agency>`): the source, and the unit by name where the month has it.
    const [source, unit] = g.source.split('/') as [string, string | undefined];
    const sourceName = SOURCE_NAMES[source] ?? `nguồn “${source}”`;
    const name = unit ? `${sourceName} (đơn vị ${d.agencies.find((a) => a.agency_code === unit)?.agency_name ?? unit})` : sourceName;
    if (g.cause === 'ended' && g.since) {
      const [y, mo] = g.since.split('-').map(Number) as [number, number];
      P(`Từ tháng ${mo}/${y}, ${name} không còn cung cấp dữ liệu; số liệu ${list} không gồm hồ sơ từ nguồn này.`, true);
    } else if (g.cause === 'allowed_partial') {
      P(`Số liệu ${list} từ ${name} có thể chưa đầy đủ: dữ liệu ${those} đó được lấy trước khi hết tháng hoặc lấy chưa hết các trang, có thể chưa gồm một phần hồ sơ của tháng.`, true);
    } else if (g.cause === 'discarded') {
      P(`Số liệu ${list} chưa gồm hồ sơ từ ${name}: tệp dữ liệu ${those} đó không đọc được và đã được loại bỏ.`, true);
    } else {
      P(`Số liệu ${list} chưa gồm hồ sơ từ ${name}: khi chốt số liệu, nguồn này chưa có dữ liệu ${those} đó.`, true);
    }
  }

  H(1, 'I. KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH');
  H(2, `1. Số liệu chung toàn ${level}`);
  P(
    `Trong tháng, các cơ quan, đơn vị tiếp nhận ${fmtCount(cur.received_total)} hồ sơ (${fmtCount(cur.received_new)} hồ sơ mới, ` +
      `${fmtCount(cur.received_carried_over)} hồ sơ từ kỳ trước chuyển sang), trong đó ${fmtCount(cur.received_online)} hồ sơ trực tuyến ` +
      `(${fmtRate(cur.online_rate)} số hồ sơ mới). Đã giải quyết ${fmtCount(cur.resolved_total)} hồ sơ: trước hạn ${fmtCount(cur.resolved_early)}, ` +
      `đúng hạn ${fmtCount(cur.resolved_on_time)}, quá hạn ${fmtCount(cur.resolved_late)}; tỷ lệ giải quyết đúng hạn ${fmtRate(cur.on_time_rate)}. ` +
      `Đang giải quyết ${fmtCount(cur.pending_total)} hồ sơ, trong đó ${fmtCount(cur.pending_overdue)} hồ sơ đã quá hạn.`,
  );
  // In January the year to date is the month itself (c6 is "before 1 January" in both): said once.
  const ytd = month > 1 ? d.yearToDate : undefined;
  if (ytd) {
    const cumulative = cumulativeLabel(year, month);
    P(
      `${cumulative ? `Lũy kế ${cumulative}` : `Lũy kế từ đầu năm đến hết tháng ${month}/${year}`} (từ ngày ${formatViDate(ytd.period_start)} đến hết ngày ${formatViDate(ytd.period_end || d.asOf)}), ` +
        `các cơ quan, đơn vị tiếp nhận ${fmtCount(ytd.received_total)} hồ sơ (${fmtCount(ytd.received_new)} hồ sơ mới, ` +
        `${fmtCount(ytd.received_carried_over)} hồ sơ từ năm trước chuyển sang), trong đó ${fmtCount(ytd.received_online)} hồ sơ trực tuyến ` +
        `(${fmtRate(ytd.online_rate)} số hồ sơ mới). Đã giải quyết ${fmtCount(ytd.resolved_total)} hồ sơ: trước hạn ${fmtCount(ytd.resolved_early)}, ` +
        `đúng hạn ${fmtCount(ytd.resolved_on_time)}, quá hạn ${fmtCount(ytd.resolved_late)}; tỷ lệ giải quyết đúng hạn ${fmtRate(ytd.on_time_rate)}.` +
        // A year to date that stops before the month's end (the data does) has no like-for-like months a year before.
        (ytd.period_end && ytd.period_end < d.asOf ? '' : sameMonthsText(year, month, ytd, d.sameMonthsLastYear)),
    );
  }
  const prevLabel = prev ? monthLabel(prev.year, prev.month) : 'Tháng trước';
  const lyLabel = monthLabel(year - 1, month);
  const countRow = (label: string, k: keyof Figures): TableRow => {
    const v = cur[k] as number;
    return {
      cells: [
        label,
        fmtCount(v),
        prev ? fmtCount(prev[k] as number) : '–',
        prev ? fmtCountChange(v - (prev[k] as number)) : '–',
        ly ? fmtCount(ly[k] as number) : '–',
        ly ? fmtCountChange(v - (ly[k] as number)) : '–',
      ],
    };
  };
  const rateRow = (label: string, k: keyof Figures): TableRow => ({
    cells: [
      label,
      fmtRate(cur[k]),
      prev ? fmtRate(prev[k]) : '–',
      prev ? fmtRateChange(cur[k], prev[k]) : '–',
      ly ? fmtRate(ly[k]) : '–',
      ly ? fmtRateChange(cur[k], ly[k]) : '–',
    ],
  });
  blocks.push({
    kind: 'table',
    id: 'province',
    caption: `${tableNo()}. Số liệu toàn ${level} tháng ${month}/${year} so với tháng trước và cùng kỳ năm trước`,
    columns: [
      { header: 'Chỉ tiêu', width: 29.5, align: 'left' },
      { header: monthLabel(year, month), width: 10.5, align: 'right' },
      { header: prevLabel, width: 10.5, align: 'right' },
      { header: 'Tăng/giảm', width: 19.5, align: 'right' },
      { header: lyLabel, width: 10.5, align: 'right' },
      { header: 'Tăng/giảm', width: 19.5, align: 'right' },
    ],
    rows: [
      countRow('Hồ sơ tiếp nhận', 'received_total'),
      countRow('Trong đó: mới tiếp nhận', 'received_new'),
      countRow('Trong đó: trực tuyến', 'received_online'),
      countRow('Hồ sơ đã giải quyết', 'resolved_total'),
      countRow('Giải quyết quá hạn', 'resolved_late'),
      countRow('Đang giải quyết quá hạn', 'pending_overdue'),
      rateRow('Tỷ lệ đúng hạn', 'on_time_rate'),
      rateRow('Tỷ lệ trực tuyến', 'online_rate'),
      rateRow('Tỷ lệ thanh toán trực tuyến', 'online_payment_rate'),
      rateRow('Tỷ lệ số hóa hồ sơ', 'digitised_rate'),
    ],
    fontSize: 11,
  });
  blocks.push({ kind: 'chart', id: 'monthly-trend', title: `Biểu đồ 1. Hồ sơ tiếp nhận và tỷ lệ đúng hạn toàn ${level}, 13 tháng đến tháng ${month}/${year}` });

  H(2, '2. Kết quả giải quyết theo cơ quan, đơn vị');
  const unranked = d.agencies.filter((a) => !ranks.has(a.agency_code)).length;
  P(
    `Xếp hạng theo tỷ lệ giải quyết đúng hạn trong tháng (cao xếp trước, bằng nhau cùng hạng)` +
      (unranked ? `; ${fmtCount(unranked)} đơn vị không được xếp hạng do không có hồ sơ giải quyết trong tháng.` : '.') +
      (d.mergers.length
        ? ` Các đơn vị có chú thích được sắp xếp lại năm ${[...new Set(d.mergers.map((m) => m.break_date.slice(0, 4)))].sort().join(', ')}; số liệu các kỳ trước được cộng theo đơn vị kế thừa.`
        : ''),
  );
  blocks.push({
    kind: 'table',
    id: 'agencies',
    caption: `${tableNo()}. Kết quả giải quyết hồ sơ theo cơ quan, đơn vị tháng ${month}/${year}`,
    landscape: true,
    fontSize: 10,
    columns: [
      { header: 'STT', width: 4.5, align: 'center' },
      { header: 'Cơ quan, đơn vị', width: 24.5, align: 'left' },
      { header: 'Tiếp nhận', width: 7, align: 'right' },
      { header: 'Đã giải quyết', width: 7.5, align: 'right' },
      { header: 'Trước hạn', width: 7, align: 'right' },
      { header: 'Đúng hạn', width: 7, align: 'right' },
      { header: 'Quá hạn', width: 7, align: 'right' },
      { header: 'Tỷ lệ đúng hạn', width: 8.5, align: 'right' },
      { header: 'Đang giải quyết quá hạn', width: 7, align: 'right' },
      { header: 'Tỷ lệ trực tuyến', width: 8.5, align: 'right' },
      { header: 'Tỷ lệ thanh toán trực tuyến', width: 8.5, align: 'right' },
      { header: 'Tỷ lệ số hóa', width: 8.5, align: 'right' },
      { header: 'Xếp hạng', width: 6, align: 'center' },
    ],
    rows: [
      ...d.agencies.map((a, i) => {
        const note = noteOf.get(a.agency_code);
        return {
          cells: [
            String(i + 1),
            a.agency_name,
            fmtCount(a.received_total),
            fmtCount(a.resolved_total),
            fmtCount(a.resolved_early),
            fmtCount(a.resolved_on_time),
            fmtCount(a.resolved_late),
            fmtRate(a.on_time_rate),
            fmtCount(a.pending_overdue),
            fmtRate(a.online_rate),
            fmtRate(a.online_payment_rate),
            fmtRate(a.digitised_rate),
            ranks.has(a.agency_code) ? String(ranks.get(a.agency_code)) : '–',
          ],
          ...(note ? { notes: [note], noteCell: 1 } : {}),
        };
      }),
      {
        bold: true,
        cells: [
          '',
          `Toàn ${level}`,
          fmtCount(cur.received_total),
          fmtCount(cur.resolved_total),
          fmtCount(cur.resolved_early),
          fmtCount(cur.resolved_on_time),
          fmtCount(cur.resolved_late),
          fmtRate(cur.on_time_rate),
          fmtCount(cur.pending_overdue),
          fmtRate(cur.online_rate),
          fmtRate(cur.online_payment_rate),
          fmtRate(cur.digitised_rate),
          '',
        ],
      },
    ],
  });
  blocks.push({ kind: 'chart', id: 'on-time-by-agency', title: `Biểu đồ 2. Tỷ lệ giải quyết đúng hạn theo cơ quan, đơn vị tháng ${month}/${year}` });

  H(2, `3. Thủ tục hành chính có nhiều hồ sơ quá hạn (năm ${year}, đến hết tháng ${month})`);
  if (d.lateProcedures.length === 0) {
    P(`Từ đầu năm ${year} đến hết tháng ${month}, không có hồ sơ nào giải quyết quá hạn.`);
  } else {
    blocks.push({
      kind: 'table',
      id: 'late-procedures',
      caption: `${tableNo()}. Thủ tục hành chính có nhiều hồ sơ giải quyết quá hạn nhất`,
      fontSize: 11,
      columns: [
        { header: 'STT', width: 6.5, align: 'center' },
        { header: 'Thủ tục hành chính', width: 41.5, align: 'left' },
        { header: 'Cơ quan', width: 22, align: 'left' },
        { header: 'Đã giải quyết', width: 10, align: 'right' },
        { header: 'Quá hạn', width: 9, align: 'right' },
        { header: 'Tỷ lệ đúng hạn', width: 11, align: 'right' },
      ],
      rows: d.lateProcedures.map((p, i) => ({
        cells: [String(i + 1), `${p.procedure_name} (${p.procedure_code})`, p.agency_name, fmtCount(p.resolved_total), fmtCount(p.resolved_late), fmtRate(p.on_time_rate)],
      })),
    });
  }

  H(1, `II. CHỈ SỐ PHỤC VỤ NGƯỜI DÂN, DOANH NGHIỆP (BỘ CHỈ SỐ 766) THÁNG ${month}/${year}`);
  if (d.score766.length === 0) {
    P(`Chưa có số liệu Bộ chỉ số 766 tháng ${month}/${year} của các cơ quan, đơn vị.`);
  } else {
    const up = d.score766.filter((u) => (u.rank_change ?? 0) > 0).length;
    const down = d.score766.filter((u) => (u.rank_change ?? 0) < 0).length;
    const top = d.score766[0]!;
    // Ranks out of another number of units are another scale (score766_units): not compared, and said so.
    const rescaled = d.score766.find((u) => u.prev_units_total !== null && u.units_total !== null && u.prev_units_total !== u.units_total);
    P(
      `${fmtCount(d.score766.length)} cơ quan, đơn vị có điểm Bộ chỉ số 766 trong tháng; cao nhất là ${top.unit_name} (${fmtScore(top.score_total)} điểm). ` +
        (rescaled
          ? `Kỳ trước xếp hạng trong số ${fmtCount(rescaled.prev_units_total!)} đơn vị, kỳ này trong số ${fmtCount(rescaled.units_total!)} đơn vị, nên thứ hạng không so sánh với kỳ trước.`
          : `So với kỳ trước, ${fmtCount(up)} đơn vị tăng hạng, ${fmtCount(down)} đơn vị giảm hạng.`),
    );
    blocks.push(
      rankedTable('score766', `${tableNo()}. Điểm và xếp hạng Bộ chỉ số 766 tháng ${month}/${year}`, 'Điểm (/100)', noteOf,
        d.score766.map((u) => ({ rank: u.rank, name: u.unit_name, score: u.score_total, change: u.score_total_change, rankChange: u.rank_change, band: u.band, agencyCode: u.agency_code })),
      ),
    );
  }

  H(1, 'III. CHỈ SỐ CẢI CÁCH HÀNH CHÍNH');
  if (!d.par) {
    P('Chưa có kết quả Chỉ số cải cách hành chính của các cơ quan, đơn vị.');
  } else {
    const par = d.par;
    const parTable = tableNo();
    // Ranks out of another number of units are another scale (par_agency_years): only the points compare.
    const later = d.mergers.filter((m) => Number(m.break_date.slice(0, 4)) > par.year);
    const laterYears = [...new Set(later.map((m) => m.break_date.slice(0, 4)))].sort();
    const laterCodes = new Set(later.flatMap((m) => [m.agency_code, ...m.predecessor_codes]));
    const ranksCompare = par.prevUnitsRanked === 0 || par.units.every((u) => u.units_ranked === null || u.units_ranked === par.prevUnitsRanked);
    P(
      `${parTable} tổng hợp kết quả Chỉ số cải cách hành chính năm ${par.year} (công bố gần nhất) của ${fmtCount(par.units.length)} cơ quan, đơn vị; ` +
        (ranksCompare
          ? `mức thay đổi so với năm ${par.year - 1} tính theo điểm và thứ hạng.`
          : `mức thay đổi so với năm ${par.year - 1} tính theo điểm; thứ hạng không so sánh vì năm ${par.year - 1} xếp hạng ${fmtCount(par.prevUnitsRanked)} đơn vị, năm ${par.year} xếp hạng ${fmtCount(par.units[0]?.units_ranked ?? par.units.length)} đơn vị.`) +
        // Mergers after the PAR year: its units are the old ones (each marked). Those of the PAR year itself
        // (footnoted too) formed the units its results are of: nothing to say of them here.
        (laterYears.length && par.units.some((u) => u.agency_code !== null && laterCodes.has(u.agency_code))
          ? ` Các đơn vị có chú thích được sắp xếp lại năm ${laterYears.join(', ')}; kết quả năm ${par.year} là của đơn vị trước khi sắp xếp.`
          : ''),
    );
    blocks.push(
      rankedTable('par', `${parTable}. Chỉ số cải cách hành chính năm ${par.year}`, 'Điểm', noteOf,
        par.units.map((u) => ({ rank: u.rank, name: u.agency_name, score: u.total_points, change: u.score_change, rankChange: u.rank_change, band: u.band ?? '–', agencyCode: u.agency_code })),
      ),
    );
  }

  H(1, 'IV. ĐÁNH GIÁ CHUNG VÀ KIẾN NGHỊ, ĐỀ XUẤT');
  P(
    `Tỷ lệ hồ sơ giải quyết đúng hạn toàn ${level} tháng ${month}/${year} đạt ${fmtRate(cur.on_time_rate)}` +
      (prev ? ` (tháng trước ${fmtRate(prev.on_time_rate)})` : '') +
      `; số hồ sơ đang giải quyết đã quá hạn là ${fmtCount(cur.pending_overdue)} (${pct(cur.pending_overdue, cur.pending_total)} số hồ sơ đang giải quyết).`,
  );
  P('(Phần đánh giá, nguyên nhân, kiến nghị và đề xuất do đơn vị soạn thảo bổ sung trước khi trình ký.)', true);
  P(`Sở Nội vụ kính báo cáo Ủy ban nhân dân ${level} ${placeText}./.`);

  return {
    period: d.period,
    documentDate: d.asOf,
    issuer: [`UBND ${level.toLocaleUpperCase('vi-VN')} ${placeText.toLocaleUpperCase('vi-VN')}`, 'SỞ NỘI VỤ'],
    motto: ['CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 'Độc lập - Tự do - Hạnh phúc'],
    numberLine: 'Số:         /BC-SNV',
    placeDate: placeDateLine(placeText, next),
    title: 'BÁO CÁO',
    subtitle: `Tình hình giải quyết thủ tục hành chính ${reportPeriodText(year, month)}`,
    ...(d.synthetic ? { banner: 'Số liệu giả lập của tỉnh mẫu — không phải số liệu thật.' } : {}),
    blocks,
    footnotes,
    recipients: [`- UBND ${level} (để báo cáo);`, `- Văn phòng UBND ${level};`, '- Giám đốc, các Phó Giám đốc Sở;', '- Lưu: VT, CCHC.'],
    signer: { title: 'GIÁM ĐỐC', note: '(Ký, ghi rõ họ tên, đóng dấu)' },
    charts: {
      onTimeByAgency: d.agencies
        .filter((a) => a.resolved_total > 0 && a.on_time_rate !== null)
        .map((a) => ({ label: a.agency_short_name || a.agency_name, value: a.on_time_rate ?? 0 }))
        .sort((a, b) => b.value - a.value || a.label.localeCompare(b.label, 'vi')),
      trend: d.trend.map((t) => ({ label: `${t.month}/${String(t.year).slice(2)}`, received: t.received_total, onTimeRate: t.on_time_rate })),
    },
  };
}
