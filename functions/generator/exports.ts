/**
 * Real-shaped vendor exports in the demo: one agency's portal dossiers are exported ONLY as the dossier
 * list of a provincial one-stop-shop system (XLSX, exports/dvc-xlsx/), another's ONLY as the one-stop
 * shop's tracking book, the sổ theo dõi hồ sơ (TT 01/2018/TT-VPCP, exports/so-theo-doi/). Their dossiers
 * are left out of the portal CSV (and so of the loopback portal's API): each dossier is exported once,
 * and `npm start` reads them through the mapping profiles (profiles/dvc-xlsx.json, so-theo-doi.json).
 *
 * Both systems re-set the appointment date when supplements arrive (the vendor's NgayHenTra; a new
 * appointment slip in the book): the due date written is the original plus the supplement wait, and the
 * profiles read it as re-set (`due_date: "reset"`). The dossier list also carries the supplement request
 * and receipt dates, so the original due date and the wait are recovered and every count equals the
 * portal CSV's; the book carries no supplement dates, so its processing days include the wait.
 */
import { join } from 'node:path';
import { mkdir } from 'node:fs/promises';
import type ExcelJS from 'exceljs';
import { documentDate, newWorkbook, writeWorkbookDeterministic } from '../core/readers/xlsx/common.js';
import type { DateFormats } from './calendar.js';
import type { GenDossier } from './dossiers.js';
import type { Registry } from './registry.js';

/** The agency exported as a vendor dossier list, and the one exported as a sổ theo dõi hồ sơ. */
export const VENDOR_EXPORT_AGENCY = 'H99.16';
export const BOOK_EXPORT_AGENCY = 'H99.18';

const DVC_STATUS: Record<GenDossier['status'], string> = { DANG_XU_LY: '4', CHO_BO_SUNG: '5', DA_TRA_KET_QUA: '10', TU_CHOI: '10', DA_RUT: '7' };
const BOOK_STATUS: Record<GenDossier['status'], string> = {
  DANG_XU_LY: 'Đang giải quyết',
  CHO_BO_SUNG: 'Chờ bổ sung',
  DA_TRA_KET_QUA: 'Đã trả kết quả',
  TU_CHOI: 'Từ chối giải quyết',
  DA_RUT: 'Công dân rút hồ sơ',
};
const CHANNEL_TEXT = { 1: 'Trực tiếp', 2: 'Trực tuyến', 3: 'Bưu chính công ích' } as const;
const yesNo = (b: boolean): string => (b ? 'Có' : 'Không');

/** "dd/mm/yyyy HH:mm" → an Excel date cell (exceljs stores a Date's UTC fields as the wall time). */
function excelDate(text: string): Date {
  const m = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})$/.exec(text)!;
  return new Date(Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]), Number(m[4]), Number(m[5])));
}

const DVC_HEADER = [
  'STT', 'Mã hồ sơ', 'Mã thủ tục', 'Mã đơn vị', 'Kênh thực hiện', 'Ngày tiếp nhận', 'Ngày hẹn trả', 'Ngày kết thúc xử lý', 'Ngày trả kết quả',
  'Ngày yêu cầu bổ sung', 'Ngày tiếp nhận bổ sung', 'Trạng thái', 'Loại kết quả', 'Thanh toán trực tuyến', 'Đã số hóa', 'Kết quả điện tử', 'Đồng bộ DVCQG', 'Có phản ánh', 'Ngày cập nhật',
];

/** One year of an agency's dossiers as the vendor system's "Danh sách hồ sơ" XLSX. */
export async function writeVendorDossierList(file: string, year: number, list: GenDossier[], reg: Registry, fmt: DateFormats, note: string): Promise<void> {
  const when = documentDate(`${year}-12-31`);
  const wb = newWorkbook(when);
  const ws = wb.addWorksheet('Danh sách hồ sơ');
  ws.getCell(1, 1).value = 'DANH SÁCH HỒ SƠ';
  ws.getCell(2, 1).value = `Từ ngày 01/01/${year} đến ngày 31/12/${year}`;
  ws.getCell(3, 1).value = note;
  ws.getRow(5).values = [undefined, ...DVC_HEADER];
  list.forEach((d, i) => {
    const finished = d.finishedMin >= 0 ? excelDate(fmt.portal(d.finishedMin)) : null;
    const row: ExcelJS.CellValue[] = [
      i + 1,
      d.id,
      reg.procedures[d.procedure]?.row.procedure_code ?? '',
      reg.agencies[d.agency]?.row.agency_code ?? '',
      String(d.channel),
      excelDate(fmt.portal(d.receivedMin)),
      // re-set after the supplement wait, as the vendor system does
      excelDate(fmt.portal(d.dueMin + d.supplementDays * 1440)),
      finished,
      d.status === 'DA_TRA_KET_QUA' || d.status === 'TU_CHOI' ? finished : null,
      // the wait the generator drew: requested the day after receipt, received that many days later
      d.supplementDays > 0 ? fmt.portal(d.receivedMin + 1440) : null,
      d.supplementDays > 0 ? fmt.portal(d.receivedMin + 1440 + d.supplementDays * 1440) : null,
      DVC_STATUS[d.status],
      d.status === 'DA_TRA_KET_QUA' ? 'Kết quả' : d.status === 'TU_CHOI' ? 'Trả lại' : null,
      yesNo(d.paidOnline),
      yesNo(d.digitised),
      yesNo(d.eResult),
      yesNo(d.synced),
      yesNo(d.complaint),
      fmt.portal(d.updatedMin),
    ];
    const r = ws.getRow(6 + i);
    r.values = [undefined, ...row];
    for (const c of [6, 7, 8, 9]) if (row[c - 1] instanceof Date) r.getCell(c).numFmt = 'dd/mm/yyyy hh:mm';
  });
  await writeWorkbookDeterministic(wb, file, when);
}

const BOOK_HEADER = [
  'STT', 'Mã hồ sơ', 'Tên TTHC', 'Số lượng hồ sơ (bộ)', 'Tên cá nhân, tổ chức', 'Địa chỉ, số điện thoại', 'Cơ quan chủ trì giải quyết',
  'Nhận hồ sơ của cá nhân, tổ chức', 'Hẹn trả kết quả', 'Chuyển hồ sơ đến cơ quan giải quyết', 'Nhận kết quả từ cơ quan giải quyết',
  'Trả kết quả cho cá nhân, tổ chức', 'Kênh thực hiện', 'Tình trạng', 'Ghi chú',
];

/** One year of an agency's dossiers as its sổ theo dõi hồ sơ (Excel). */
export async function writeTrackingBook(file: string, year: number, list: GenDossier[], reg: Registry, fmt: DateFormats, note: string): Promise<void> {
  const when = documentDate(`${year}-12-31`);
  const wb = newWorkbook(when);
  const ws = wb.addWorksheet('Sổ theo dõi hồ sơ');
  const agency = reg.agencies[list[0]?.agency ?? -1]?.row.name ?? '';
  ws.getCell(1, 1).value = agency.toUpperCase();
  ws.getCell(2, 1).value = 'BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ';
  ws.getCell(3, 1).value = `SỔ THEO DÕI HỒ SƠ NĂM ${year}`;
  ws.getCell(4, 1).value = note;
  ws.getRow(6).values = [undefined, ...BOOK_HEADER];
  ws.getRow(7).values = [undefined, ...BOOK_HEADER.map((_, i) => `(${i + 1})`)];
  list.forEach((d, i) => {
    const finished = d.finishedMin >= 0 ? fmt.portal(d.finishedMin) : '';
    ws.getRow(8 + i).values = [
      undefined,
      i + 1,
      d.id,
      reg.procedures[d.procedure]?.row.name ?? '',
      1,
      `Người nộp ${i + 1}`,
      '',
      reg.agencies[d.agency]?.row.name ?? '',
      fmt.portal(d.receivedMin),
      // the appointment slip re-issued after the supplements arrived
      fmt.portal(d.dueMin + d.supplementDays * 1440),
      fmt.portal(d.receivedMin),
      finished,
      d.status === 'DA_TRA_KET_QUA' || d.status === 'TU_CHOI' ? finished : '',
      CHANNEL_TEXT[d.channel],
      BOOK_STATUS[d.status],
      '',
    ];
  });
  await writeWorkbookDeterministic(wb, file, when);
}

/** Write the year files of both agencies under <outDir>/exports/. */
export async function writeVendorExports(outDir: string, byYear: Map<string, GenDossier[]>, reg: Registry, fmt: DateFormats, note: string): Promise<string[]> {
  const written: string[] = [];
  for (const [key, list] of [...byYear.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const [code, yearText] = key.split('|') as [string, string];
    const year = Number(yearText);
    if (code === VENDOR_EXPORT_AGENCY) {
      const dir = join(outDir, 'exports', 'dvc-xlsx');
      await mkdir(dir, { recursive: true });
      const file = join(dir, `DanhSachHoSo_${code}_${year}.xlsx`);
      await writeVendorDossierList(file, year, list, reg, fmt, note);
      written.push(file);
    } else {
      const dir = join(outDir, 'exports', 'so-theo-doi');
      await mkdir(dir, { recursive: true });
      const file = join(dir, `SoTheoDoiHoSo_${code}_${year}.xlsx`);
      await writeTrackingBook(file, year, list, reg, fmt, note);
      written.push(file);
    }
  }
  return written;
}
