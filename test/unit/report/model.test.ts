import { describe, expect, test } from 'vitest';
import { sameMonthsAYearBefore, sumMonths, type AgencyPeriod, type Figures, type ProvinceMonth, type ReportData } from '../../../functions/core/report/data.js';
import { buildReportDoc, cumulativeLabel, fmtRate, fmtRateChange, mergerFootnotes, mergerNote, onTimeRanks, placeDateLine, placeName, reportPeriodText, sameMonthsText } from '../../../functions/core/report/model.js';

const agency = (code: string, rate: number | null, resolved = 10): AgencyPeriod => ({ agency_code: code, on_time_rate: rate, resolved_total: resolved }) as AgencyPeriod;

describe('onTimeRanks given equal on-time rates', () => {
  test('should give equals one rank and skip the places they take (1, 1, 3), not 1, 1, 2', () => {
    const ranks = onTimeRanks([agency('A', 1), agency('B', 0.9), agency('C', 1, 2), agency('D', 0.5)]);
    expect(Object.fromEntries(ranks)).toEqual({ A: 1, C: 1, B: 3, D: 4 });
  });

  test('should rank rates as printed: 95,12% and 95,12% share a rank whatever the digits beyond', () => {
    expect(fmtRate(0.951234)).toBe(fmtRate(0.951181));
    const ranks = onTimeRanks([agency('A', 0.951234), agency('B', 0.951181), agency('C', 0.951149)]);
    expect(Object.fromEntries(ranks)).toEqual({ A: 1, B: 1, C: 3 });
    // Rounded as fmtRate rounds (half away from zero on the decimal shown): 163/800 and 0,2038 both print 20,38%.
    expect(fmtRate(163 / 800)).toBe(fmtRate(0.2038));
    expect(Object.fromEntries(onTimeRanks([agency('A', 163 / 800), agency('B', 0.2038)]))).toEqual({ A: 1, B: 1 });
  });

  test('should leave an agency without a resolved dossier unranked', () => {
    const ranks = onTimeRanks([agency('A', null, 0), agency('B', 0.8)]);
    expect(ranks.has('A')).toBe(false);
    expect(ranks.get('B')).toBe(1);
  });
});

describe('report formatting given vi-VN', () => {
  test('should print rates as percents with a decimal comma and changes in percentage points', () => {
    expect(fmtRate(0.83451)).toBe('83,45%');
    expect(fmtRate(null)).toBe('–');
    expect(fmtRateChange(0.9649, 0.9302)).toBe('+3,47 điểm %');
    expect(fmtRateChange(0.5, 0.6296)).toBe('-12,96 điểm %');
  });

  test('should give a change that is the difference of the two rates as printed', () => {
    // 27/37 and 17/37 print as 72,97% and 45,95%: +27,02 to a reader (their unrounded difference is 27,027…).
    expect([fmtRate(27 / 37), fmtRate(17 / 37), fmtRateChange(27 / 37, 17 / 37)]).toEqual(['72,97%', '45,95%', '+27,02 điểm %']);
    expect(fmtRateChange(17 / 37, 27 / 37)).toBe('-27,02 điểm %');
    // 12,345% prints 12,35% (half away from zero), 12,3449% prints 12,34%.
    expect([fmtRate(0.12345), fmtRate(0.123449), fmtRateChange(0.123449, 0.12345)]).toEqual(['12,35%', '12,34%', '-0,01 điểm %']);
    expect(fmtRateChange(0.83451, 0.834549)).toBe('0,00 điểm %');
  });

  test('should take the place name from the province name', () => {
    expect(placeName('UBND tỉnh Sông Xanh')).toBe('Sông Xanh');
    expect(placeName('Thành phố Hà Nội')).toBe('Hà Nội');
  });
});

describe('mergerNote given the 2025 mergers', () => {
  test('should say a unit merged under an old name merges the old unit and the others, never that it takes itself over', () => {
    expect(mergerNote({ agency_name: 'Sở Khoa học và Công nghệ', break_date: '2025-03-01', predecessor_names: ['Sở Khoa học và Công nghệ', 'Sở Thông tin và Truyền thông'] })).toBe(
      'Sở Khoa học và Công nghệ: từ ngày 1/3/2025, hợp nhất Sở Khoa học và Công nghệ (cũ) và Sở Thông tin và Truyền thông (sắp xếp tổ chức bộ máy năm 2025).',
    );
  });

  test('should say a unit takes over predecessors of other names', () => {
    expect(mergerNote({ agency_name: 'Sở Nội vụ', break_date: '2025-03-01', predecessor_names: ['Sở Lao động - Thương binh và Xã hội'] })).toBe(
      'Sở Nội vụ: từ ngày 1/3/2025 tiếp nhận Sở Lao động - Thương binh và Xã hội (sắp xếp tổ chức bộ máy năm 2025).',
    );
  });
});

describe('reportPeriodText given the month of a report', () => {
  test("should name the quarter, the half, nine months and the year at a quarter's end, and the month alone otherwise", () => {
    expect([3, 6, 9, 12].map((m) => reportPeriodText(2025, m))).toEqual([
      'tháng 3 và quý I năm 2025',
      'tháng 6 và 6 tháng đầu năm 2025',
      'tháng 9 và 9 tháng đầu năm 2025',
      'tháng 12 và năm 2025',
    ]);
    expect([1, 2, 4, 5, 7, 8, 10, 11].map((m) => reportPeriodText(2025, m))).toEqual([1, 2, 4, 5, 7, 8, 10, 11].map((m) => `tháng ${m} năm 2025`));
    expect(cumulativeLabel(2025, 5)).toBeUndefined();
  });
});

describe('mergerFootnotes given the 2025 mergers', () => {
  test("should mark every predecessor with its successor's note (the PAR table of 2024 lists the old units), a unit keeping its own note", () => {
    const { footnotes, noteOf } = mergerFootnotes([
      // H99.20 took over H99.07 in December; H99.07 had itself absorbed H99.10 in March: H99.07 keeps its own note (2).
      { agency_code: 'H99.20', agency_name: 'Sở Tài chính và Kế hoạch', break_date: '2025-12-01', predecessor_names: ['Sở Tài chính'], predecessor_codes: ['H99.07'] },
      { agency_code: 'H99.07', agency_name: 'Sở Tài chính', break_date: '2025-03-01', predecessor_names: ['Sở Tài chính', 'Sở Kế hoạch và Đầu tư'], predecessor_codes: ['H99.07', 'H99.10'] },
      { agency_code: 'H99.04', agency_name: 'Sở Nội vụ', break_date: '2025-03-01', predecessor_names: ['Sở Lao động - Thương binh và Xã hội'], predecessor_codes: ['H99.14'] },
    ]);
    expect(Object.fromEntries(noteOf)).toEqual({ 'H99.20': 1, 'H99.07': 2, 'H99.04': 3, 'H99.10': 2, 'H99.14': 3 });
    expect(Object.keys(footnotes)).toEqual(['1', '2', '3']);
  });
});

describe('sameMonthsText given the year to date and the same months a year before', () => {
  const month = (received_new: number, early: number, onTime: number, late: number): Figures =>
    ({ received_new, resolved_total: early + onTime + late, resolved_early: early, resolved_on_time: onTime, resolved_late: late }) as Figures;

  test('should sum the flows of the months and compare them, rates in percentage points', () => {
    const ly = sumMonths([month(100, 50, 40, 10), month(200, 100, 80, 10)]);
    expect(ly).toEqual({ months: 2, received_new: 300, resolved_total: 290, resolved_early: 150, resolved_on_time: 120, resolved_late: 20, on_time_rate: 270 / 290 });
    const ytd = { ...month(324, 258, 64, 9), on_time_rate: 322 / 331 } as Figures;
    expect(sameMonthsText(2025, 2, ytd, ly)).toBe(
      ' So với cùng kỳ năm 2024 (từ ngày 1/1/2024 đến hết ngày 29/2/2024): hồ sơ mới tiếp nhận 324 (cùng kỳ 300, +24), ' +
        'đã giải quyết 331 (cùng kỳ 290, +41), quá hạn 9 (cùng kỳ 20, -11); tỷ lệ giải quyết đúng hạn 97,28% (cùng kỳ 93,10%, +4,18 điểm %).',
    );
  });

  test('should say nothing without the months a year before, and give no rate without a resolved dossier', () => {
    expect(sameMonthsText(2025, 6, month(1, 0, 0, 0), undefined)).toBe('');
    expect(sumMonths([month(5, 0, 0, 0)]).on_time_rate).toBeNull();
  });
});

describe('buildReportDoc given the year to date', () => {
  const figures = (n: number): Figures =>
    ({ received_total: n + 2, received_new: n, received_online: n - 1, received_carried_over: 2, resolved_total: n, resolved_early: n - 2, resolved_on_time: 1, resolved_late: 1,
      pending_total: 2, pending_overdue: 0, on_time_rate: (n - 1) / n, online_rate: 0.5, online_payment_rate: null, digitised_rate: null }) as Figures;
  const data = (month: number, extra: Partial<ReportData> = {}): ReportData => ({
    period: `2025-${String(month).padStart(2, '0')}`, year: 2025, month, asOf: new Date(Date.UTC(2025, month, 0)).toISOString().slice(0, 10),
    snapshot: { period: '', manifestSha256: '', lakeFingerprint: '' }, provinceCode: 'H99', provinceName: 'UBND tỉnh Sông Xanh', synthetic: false, missingSources: [],
    province: { current: { ...figures(10), year: 2025, month } }, trend: [], agencies: [], lateProcedures: [], score766: [], mergers: [], ...extra,
  });
  const text = (d: ReportData): string => buildReportDoc(d).blocks.map((b) => ('text' in b ? b.text : '')).join('\n');
  const ytd = { ...figures(40), period_start: '2025-01-01', period_end: '2025-04-30' };
  const ly = sumMonths([figures(8), figures(9), figures(10), figures(11)]);

  test('should give the year to date and compare it with the same months a year before', () => {
    const t = text(data(4, { yearToDate: ytd, sameMonthsLastYear: ly }));
    expect(t).toContain('Lũy kế từ đầu năm đến hết tháng 4/2025 (từ ngày 1/1/2025 đến hết ngày 30/4/2025), các cơ quan, đơn vị tiếp nhận 42 hồ sơ');
    expect(t).toContain('So với cùng kỳ năm 2024 (từ ngày 1/1/2024 đến hết ngày 30/4/2024): hồ sơ mới tiếp nhận 40 (cùng kỳ 38, +2)');
  });

  test('should say January once: its year to date is the month', () => {
    const t = text(data(1, { yearToDate: { ...ytd, period_end: '2025-01-31' }, sameMonthsLastYear: sumMonths([figures(8)]) }));
    expect(t).not.toContain('Lũy kế');
    expect(t).not.toContain('cùng kỳ năm 2024 (');
  });

  test('should count rank moves of the 766 only where the ranks are out of the same number of units, and say so where not', () => {
    const unit = (name: string, rank: number, rank_change: number | null, prev_units_total: number | null, units_total = 16) => ({
      agency_code: null, unit_name: name, rank, units_total, score_total: 90 - rank, score_total_change: null, rank_change, prev_units_total, band: 'Tốt',
    });
    // March 2025: 16 units ranked after the mergers, 21 in February.
    const merged = text(data(3, { score766: [unit('Sở A', 1, null, 21), unit('Sở B', 2, null, 21)] }));
    expect(merged).toContain('Kỳ trước xếp hạng trong số 21 đơn vị, kỳ này trong số 16 đơn vị, nên thứ hạng không so sánh với kỳ trước.');
    expect(merged).not.toContain('tăng hạng');
    const same = text(data(4, { score766: [unit('Sở A', 1, 1, 16), unit('Sở B', 2, -1, 16)] }));
    expect(same).toContain('So với kỳ trước, 1 đơn vị tăng hạng, 1 đơn vị giảm hạng.');
  });

  test('should say which months of which dossier source a snapshot was frozen without, and why, and nothing when none', () => {
    const t = text(
      data(6, {
        missingSources: [
          { source: 'nsw', months: ['2025-06'], cause: 'allowed' },
          { source: 'portal', months: ['2025-03'], cause: 'allowed_partial' },
          { source: 'nsw/H99.77', months: ['2025-02'], cause: 'allowed' },
          { source: 'nsw/H99.04', months: ['2025-01'], cause: 'discarded' },
          { source: 'portal', months: ['2025-04', '2025-05'], cause: 'discarded' },
          { source: 'vendor', months: ['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06'], cause: 'ended', since: '2024-11' },
        ],
        agencies: [{ ...figures(10), agency_code: 'H99.04', agency_name: 'Sở Công Thương', agency_short_name: 'Sở Công Thương', kind: 'so', period_type: 'month', year: 2025, period_no: 6 } as AgencyPeriod],
      }),
    );
    expect(t).toContain('Số liệu tháng 6/2025 chưa gồm hồ sơ từ Cơ chế một cửa quốc gia: khi chốt số liệu, nguồn này chưa có dữ liệu tháng đó.');
    expect(t).toContain('Số liệu các tháng 4/2025 và 5/2025 chưa gồm hồ sơ từ Cổng Dịch vụ công của tỉnh: tệp dữ liệu các tháng đó không đọc được và đã được loại bỏ.');
    expect(t).toContain('Từ tháng 11/2024, nguồn “vendor” không còn cung cấp dữ liệu; số liệu các tháng 1/2025, 2/2025, 3/2025, 4/2025, 5/2025 và 6/2025 không gồm hồ sơ từ nguồn này.');
    expect(t).toContain('Số liệu tháng 3/2025 từ Cổng Dịch vụ công của tỉnh có thể chưa đầy đủ: dữ liệu tháng đó được lấy trước khi hết tháng hoặc lấy chưa hết các trang, có thể chưa gồm một phần hồ sơ của tháng.');
    expect(t).toContain('Số liệu tháng 2/2025 chưa gồm hồ sơ từ Cơ chế một cửa quốc gia (đơn vị H99.77): khi chốt số liệu, nguồn này chưa có dữ liệu tháng đó.');
    expect(t).toContain('Số liệu tháng 1/2025 chưa gồm hồ sơ từ Cơ chế một cửa quốc gia (đơn vị Sở Công Thương): tệp dữ liệu tháng đó không đọc được và đã được loại bỏ.');
    expect(text(data(6))).not.toContain('chưa gồm hồ sơ');
    expect(text(data(6))).not.toContain('chưa đầy đủ');
  });

  test('should give a year to date that stops before the month ends (the data does) its own last day, and no comparison', () => {
    const t = text(data(4, { yearToDate: { ...ytd, period_end: '2025-04-20' }, sameMonthsLastYear: ly }));
    expect(t).toContain('(từ ngày 1/1/2025 đến hết ngày 20/4/2025)');
    expect(t).not.toContain('So với cùng kỳ');
  });
});

describe('buildReportDoc given what the month has', () => {
  const figures = { received_total: 12, received_new: 10, received_online: 9, received_carried_over: 2, resolved_total: 10, resolved_early: 8, resolved_on_time: 1, resolved_late: 1,
    pending_total: 2, pending_overdue: 0, on_time_rate: 0.9, online_rate: 0.5, online_payment_rate: null, digitised_rate: null } as unknown as Figures;
  const par = { year: 2024, prevUnitsRanked: 0, units: [{ agency_code: 'H99.01', agency_name: 'Sở A', total_points: 80, total_max: 100, rank: 1, units_ranked: 1, score_change: null, rank_change: null, band: null }] };
  const late = { procedure_code: 'P1', procedure_name: 'Thủ tục 1', agency_name: 'Sở A', resolved_total: 5, resolved_late: 2, on_time_rate: 0.6 };
  const data = (month: number, extra: Partial<ReportData> = {}): ReportData => ({
    period: `2025-${String(month).padStart(2, '0')}`, year: 2025, month, asOf: new Date(Date.UTC(2025, month, 0)).toISOString().slice(0, 10),
    snapshot: { period: '', manifestSha256: '', lakeFingerprint: '' }, provinceCode: 'H99', provinceName: 'UBND tỉnh Sông Xanh', synthetic: false, missingSources: [],
    province: { current: { ...figures, year: 2025, month } }, trend: [], agencies: [], lateProcedures: [], score766: [], mergers: [], ...extra,
  });
  const captions = (d: ReportData): string[] => buildReportDoc(d).blocks.flatMap((b) => ('caption' in b && typeof b.caption === 'string' ? [b.caption.split('.')[0]!] : []));

  test('should number the tables as the document holds them, one left out taking no number', () => {
    // No late dossier, no 766 data: the PAR table is the third, and its paragraph names it so.
    const doc = buildReportDoc(data(6, { par }));
    expect(captions(data(6, { par }))).toEqual(['Bảng 1', 'Bảng 2', 'Bảng 3']);
    expect(doc.blocks.some((b) => 'text' in b && b.text.startsWith('Bảng 3 tổng hợp kết quả Chỉ số cải cách hành chính năm 2024'))).toBe(true);
    expect(captions(data(6, { par, lateProcedures: [late] }))).toEqual(['Bảng 1', 'Bảng 2', 'Bảng 3', 'Bảng 4']);
    expect(buildReportDoc(data(6, { par, lateProcedures: [late] })).blocks.some((b) => 'caption' in b && b.caption === 'Bảng 4. Chỉ số cải cách hành chính năm 2024')).toBe(true);
  });

  test('should compare PAR ranks only where both years ranked as many units, and say why not', () => {
    const text = (d: ReportData): string => buildReportDoc(d).blocks.map((b) => ('text' in b ? b.text : '')).join('\n');
    const unit = (code: string, rank: number) => ({ ...par.units[0]!, agency_code: code, agency_name: `Sở ${code}`, rank, units_ranked: 13 });
    // 2025 after the mergers: 13 units ranked, 18 in 2024.
    const after = { year: 2025, prevUnitsRanked: 18, units: [unit('H99.21', 1), unit('H99.05', 2)] };
    expect(text(data(3, { par: after }))).toContain('mức thay đổi so với năm 2024 tính theo điểm; thứ hạng không so sánh vì năm 2024 xếp hạng 18 đơn vị, năm 2025 xếp hạng 13 đơn vị.');
    expect(text(data(3, { par: { ...after, prevUnitsRanked: 13 } }))).toContain('mức thay đổi so với năm 2024 tính theo điểm và thứ hạng.');
  });

  test("should say a PAR table's units are the ones before a merger only of mergers after its year", () => {
    const text = (d: ReportData): string => buildReportDoc(d).blocks.map((b) => ('text' in b ? b.text : '')).join('\n');
    const merger = { agency_code: 'H99.21', agency_name: 'Sở Tài chính', break_date: '2025-03-01', predecessor_names: ['Sở KH&ĐT', 'Sở Tài chính'], predecessor_codes: ['H99.10', 'H99.11'] };
    const unit = (code: string) => ({ ...par.units[0]!, agency_code: code, agency_name: `Sở ${code}` });
    // A 2025 report with PAR 2024 (the old units, footnoted): merged in 2025, after the PAR year.
    const in2025 = text(data(6, { mergers: [merger], par: { year: 2024, prevUnitsRanked: 0, units: [unit('H99.10'), unit('H99.11')] } }));
    expect(in2025).toContain('Các đơn vị có chú thích được sắp xếp lại năm 2025; kết quả năm 2024 là của đơn vị trước khi sắp xếp.');
    // A 2026 report with PAR 2025 (the merged unit, footnoted by its 2025 merger): nothing of "before".
    const in2026 = text({ ...data(6, { mergers: [merger], par: { year: 2025, prevUnitsRanked: 0, units: [unit('H99.21')] } }), year: 2026, period: '2026-06' });
    expect(in2026).not.toContain('trước khi sắp xếp');
  });

  test('should date the document in the month after, January and February with a leading 0 (Nghị định 30/2020/NĐ-CP)', () => {
    expect(buildReportDoc(data(12)).placeDate).toBe('Sông Xanh, ngày      tháng 01 năm 2026');
    expect(buildReportDoc(data(1)).placeDate).toBe('Sông Xanh, ngày      tháng 02 năm 2025');
    expect(buildReportDoc(data(2)).placeDate).toBe('Sông Xanh, ngày      tháng 3 năm 2025');
    expect(placeDateLine('Huế', new Date(Date.UTC(2025, 10, 1)))).toBe('Huế, ngày      tháng 11 năm 2025');
  });

  test('should call a centrally-run city a city (thành phố) wherever the report names the province-level unit', () => {
    const city = buildReportDoc(data(6, { provinceName: 'UBND thành phố Huế' }));
    expect(city.issuer[0]).toBe('UBND THÀNH PHỐ HUẾ');
    expect(city.placeDate.startsWith('Huế, ngày')).toBe(true);
    expect(city.recipients.slice(0, 2)).toEqual(['- UBND thành phố (để báo cáo);', '- Văn phòng UBND thành phố;']);
    const all = city.blocks.map((b) => ('text' in b ? b.text : 'caption' in b ? String(b.caption) : '')).join('\n');
    expect(all).toContain('trên địa bàn thành phố Huế');
    expect(all).toContain('Bảng 1. Số liệu toàn thành phố tháng 6/2025');
    expect(all).toContain('Sở Nội vụ kính báo cáo Ủy ban nhân dân thành phố Huế./.');
    expect(all).not.toMatch(/tỉnh/);
    const province = buildReportDoc(data(6));
    expect(province.issuer[0]).toBe('UBND TỈNH SÔNG XANH');
    expect(province.recipients[0]).toBe('- UBND tỉnh (để báo cáo);');
  });

  test('should give a merger the year of its own date', () => {
    expect(mergerNote({ agency_name: 'Sở X', break_date: '2026-07-01', predecessor_names: ['Sở Y'] })).toBe('Sở X: từ ngày 1/7/2026 tiếp nhận Sở Y (sắp xếp tổ chức bộ máy năm 2026).');
  });
});

describe('sameMonthsAYearBefore given the months a snapshot holds', () => {
  const row = (year: number, month: number) => ({ year, month, received_new: 10, resolved_total: 4, resolved_early: 2, resolved_on_time: 1, resolved_late: 1 }) as unknown as ProvinceMonth;
  const span = (from: [number, number], to: [number, number]) => {
    const out = [];
    for (let k = from[0] * 12 + from[1] - 1; k <= to[0] * 12 + to[1] - 1; k++) out.push(row(Math.floor(k / 12), (k % 12) + 1));
    return out;
  };

  test('should sum January to the month of the year before when the data reaches back past that year', () => {
    expect(sameMonthsAYearBefore(span([2023, 12], [2025, 6]), 2025, 6)).toMatchObject({ months: 6, received_new: 60, resolved_total: 24, on_time_rate: 0.75 });
  });

  test('should give nothing when the data starts within the year before (its carried-over dossiers unseen) or a month is missing', () => {
    expect(sameMonthsAYearBefore(span([2024, 1], [2025, 6]), 2025, 6)).toBeUndefined();
    expect(sameMonthsAYearBefore(span([2023, 12], [2025, 6]).filter((r) => !(r.year === 2024 && r.month === 3)), 2025, 6)).toBeUndefined();
  });
});
