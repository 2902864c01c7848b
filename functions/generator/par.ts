/**
 * PAR Index (Chỉ số cải cách hành chính) tables of the sở/ban/ngành per year. Criteria change between
 * years (three frameworks below, assumption modelled on QĐ 876/QĐ-BNV and older provincial sets);
 * appraised field points + survey points = total out of 100, rank 1..n by total (ties: agency code),
 * band by total (assumption): Tốt ≥ 80, Khá ≥ 70, Trung bình ≥ 50, Yếu < 50.
 * All points are kept in hundredths (integers) so total = sum of parts exactly.
 */
import type { ParTable } from './par-xlsx.js';
import { dayOf } from './calendar.js';
import { rngFor } from './prng.js';
import { PROVINCE_NAME, type Registry } from './registry.js';

interface Framework {
  fields: { name: string; max: number }[];
  surveyMax: number;
}

const FW_2019: Framework = {
  fields: [
    { name: 'Công tác chỉ đạo, điều hành cải cách hành chính', max: 12 },
    { name: 'Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật', max: 8 },
    { name: 'Cải cách thủ tục hành chính', max: 14 },
    { name: 'Cải cách tổ chức bộ máy hành chính nhà nước', max: 10 },
    { name: 'Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức', max: 10 },
    { name: 'Đổi mới cơ chế quản lý tài chính đối với cơ quan hành chính và đơn vị sự nghiệp công lập', max: 8 },
    { name: 'Hiện đại hóa hành chính', max: 13 },
  ],
  surveyMax: 25,
};
const FW_2022: Framework = {
  fields: [
    { name: 'Công tác chỉ đạo, điều hành cải cách hành chính', max: 11 },
    { name: 'Xây dựng và tổ chức thực hiện văn bản quy phạm pháp luật', max: 8 },
    { name: 'Cải cách thủ tục hành chính', max: 15 },
    { name: 'Cải cách tổ chức bộ máy hành chính nhà nước', max: 9 },
    { name: 'Xây dựng và nâng cao chất lượng đội ngũ cán bộ, công chức, viên chức', max: 10 },
    { name: 'Cải cách tài chính công', max: 8 },
    { name: 'Xây dựng và phát triển Chính quyền điện tử, Chính quyền số', max: 14 },
  ],
  surveyMax: 25,
};
const FW_2023: Framework = {
  fields: [
    { name: 'Công tác chỉ đạo, điều hành cải cách hành chính', max: 9 },
    { name: 'Cải cách thể chế', max: 6.5 },
    { name: 'Cải cách thủ tục hành chính', max: 12.5 },
    { name: 'Cải cách tổ chức bộ máy hành chính', max: 7 },
    { name: 'Cải cách chế độ công vụ', max: 9 },
    { name: 'Cải cách tài chính công', max: 6 },
    { name: 'Xây dựng và phát triển Chính quyền điện tử, Chính quyền số', max: 12 },
    { name: 'Tác động của cải cách hành chính đến phát triển kinh tế - xã hội', max: 3 },
  ],
  surveyMax: 35,
};

export function parFramework(year: number): Framework {
  return year >= 2023 ? FW_2023 : year >= 2022 ? FW_2022 : FW_2019;
}

export function parBand(total: number): string {
  return total >= 80 ? 'Tốt' : total >= 70 ? 'Khá' : total >= 50 ? 'Trung bình' : 'Yếu';
}

const clamp01 = (x: number): number => Math.max(0, Math.min(1, x));

/** PAR tables for fromYear..toYear: units = sở/ban/ngành (not chi cục) valid on 31/12 of the year. */
export function buildParTables(reg: Registry, seed: number, fromYear: number, toYear: number): ParTable[] {
  const quality = new Map<number, number>();
  const tables: ParTable[] = [];
  for (let year = fromYear; year <= toYear; year++) {
    const end = dayOf(year, 12, 31);
    const fw = parFramework(year);
    const units = reg.agencies.filter((a) => a.reports && a.band === 'Sở, ban, ngành' && a.validFromDay <= end && end <= a.validToDay);
    const rows = units.map((a) => {
      const rng = rngFor(seed, 'par', year, a.row.agency_code);
      let q = quality.get(a.index);
      if (q === undefined) {
        // New (merged) units start from their predecessors' average.
        const preds = reg.agencies.filter((p) => p.successorIndex === a.index).map((p) => quality.get(p.index)).filter((x): x is number => x !== undefined);
        q = preds.length > 0 ? preds.reduce((s, x) => s + x, 0) / preds.length : 0.72 + rngFor(seed, 'par-q0', a.row.agency_code).next() * 0.18;
      }
      q = Math.max(0.55, Math.min(0.97, q + (rng.next() - 0.5) * 0.08));
      quality.set(a.index, q);
      const fields = fw.fields.map((f) => {
        const maxH = Math.round(f.max * 100);
        const appraisedH = Math.round(maxH * clamp01(q + (rng.next() - 0.5) * 0.16) / 25) * 25; // quarter points
        const selfH = Math.min(maxH, appraisedH + Math.round(maxH * rng.next() * 0.08 / 25) * 25);
        return { self: selfH / 100, appraisedH };
      });
      const surveyH = Math.round(fw.surveyMax * 100 * clamp01(q + 0.02 + (rng.next() - 0.5) * 0.1));
      const totalH = fields.reduce((s, f) => s + f.appraisedH, 0) + surveyH;
      return {
        agencyName: a.row.name,
        agencyCode: a.row.agency_code,
        fields: fields.map((f) => ({ self: f.self, appraised: f.appraisedH / 100 })),
        survey: surveyH / 100,
        total: totalH / 100,
        totalH,
        rank: 0,
        band: parBand(totalH / 100),
      };
    });
    const ranked = [...rows].sort((x, y) => y.totalH - x.totalH || x.agencyCode.localeCompare(y.agencyCode));
    ranked.forEach((r, i) => (r.rank = i + 1));
    tables.push({
      year,
      provinceName: PROVINCE_NAME,
      decisionNo: `${100 + ((year * 37) % 300)}/QĐ-UBND`,
      fields: fw.fields.map((f, i) => ({ no: i + 1, name: f.name, max: f.max })),
      surveyMax: fw.surveyMax,
      rows: ranked.map(({ totalH: _t, ...r }) => r),
      note: 'Dữ liệu mô phỏng (tỉnh demo) — không phải số liệu thật.',
    });
  }
  return tables;
}
