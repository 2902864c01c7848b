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
import { mkdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { documentDate, fixZipDates } from '../core/readers/xlsx/common.js';
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
  'Ngày yêu cầu bổ sung', 'Ngày tiếp nhận bổ sung', 'Trạng thái', 'Loại kết quả', 'Thanh toán trực tuyến', 'Đã số hóa', 'Kết quả điện tử',
  'Đồng bộ DVCQG', 'Có phản ánh', 'Ngày cập nhật',
];

const BOOK_HEADER = [
  'STT', 'Mã hồ sơ', 'Tên TTHC', 'Số lượng hồ sơ (bộ)', 'Tên cá nhân, tổ chức', 'Địa chỉ, số điện thoại', 'Cơ quan chủ trì giải quyết',
  'Nhận hồ sơ của cá nhân, tổ chức', 'Hẹn trả kết quả', 'Chuyển hồ sơ đến cơ quan giải quyết', 'Nhận kết quả từ cơ quan giải quyết',
  'Trả kết quả cho cá nhân, tổ chức', 'Kênh thực hiện', 'Tình trạng', 'Ghi chú',
];

interface OpenFile {
  file: string;
  tmp: string;
  when: Date;
  wb: ExcelJS.stream.xlsx.WorkbookWriter;
  ws: ExcelJS.Worksheet;
  rows: number;
}

/**
 * The two agencies' export files, one per agency and year, written row by row with exceljs's streaming
 * writer (a year of a big unit never sits in memory) and closed at the year's end with fixed zip dates,
 * so the same seed writes the same bytes.
 */
export class VendorExports {
  private readonly open = new Map<string, OpenFile>();

  constructor(
    private readonly outDir: string,
    private readonly reg: Registry,
    private readonly fmt: DateFormats,
    private readonly note: string,
  ) {}

  /** True for a dossier these exports hold instead of the portal CSV. */
  static holds(agencyCode: string): boolean {
    return agencyCode === VENDOR_EXPORT_AGENCY || agencyCode === BOOK_EXPORT_AGENCY;
  }

  add(agencyCode: string, year: number, d: GenDossier): void {
    const f = this.fileFor(agencyCode, year, d);
    f.rows++;
    if (agencyCode === VENDOR_EXPORT_AGENCY) this.dvcRow(f, d);
    else this.bookRow(f, d);
  }

  /** Close every open file (at a year's end and at the end). */
  async closeAll(): Promise<void> {
    for (const f of [...this.open.values()].sort((a, b) => a.file.localeCompare(b.file))) {
      f.ws.commit();
      await f.wb.commit();
      await writeFile(f.file, fixZipDates(await readFile(f.tmp), f.when));
      await rm(f.tmp, { force: true });
    }
    this.open.clear();
  }

  private fileFor(code: string, year: number, d: GenDossier): OpenFile {
    const key = `${code}|${year}`;
    const have = this.open.get(key);
    if (have) return have;
    const book = code !== VENDOR_EXPORT_AGENCY;
    const dir = join(this.outDir, 'exports', book ? 'so-theo-doi' : 'dvc-xlsx');
    const file = join(dir, book ? `SoTheoDoiHoSo_${code}_${year}.xlsx` : `DanhSachHoSo_${code}_${year}.xlsx`);
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    const when = documentDate(`${year}-12-31`);
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: tmp, useStyles: true, useSharedStrings: false });
    wb.creator = 'cchc-pipeline';
    wb.lastModifiedBy = 'cchc-pipeline';
    wb.created = when;
    wb.modified = when;
    const ws = wb.addWorksheet(book ? 'Sổ theo dõi hồ sơ' : 'Danh sách hồ sơ');
    if (book) {
      ws.addRow([(this.reg.agencies[d.agency]?.row.name ?? '').toUpperCase()]).commit();
      ws.addRow(['BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ']).commit();
      ws.addRow([`SỔ THEO DÕI HỒ SƠ NĂM ${year}`]).commit();
      ws.addRow([this.note]).commit();
      ws.addRow([]).commit();
      ws.addRow(BOOK_HEADER).commit();
      ws.addRow(BOOK_HEADER.map((_, i) => `(${i + 1})`)).commit();
    } else {
      ws.addRow(['DANH SÁCH HỒ SƠ']).commit();
      ws.addRow([`Từ ngày 01/01/${year} đến ngày 31/12/${year}`]).commit();
      ws.addRow([this.note]).commit();
      ws.addRow([]).commit();
      ws.addRow(DVC_HEADER).commit();
    }
    const f: OpenFile = { file, tmp, when, wb, ws, rows: 0 };
    this.open.set(key, f);
    return f;
  }

  /** One row of the vendor system's "Danh sách hồ sơ". */
  private dvcRow(f: OpenFile, d: GenDossier): void {
    const { fmt, reg } = this;
    const finished = d.finishedMin >= 0 ? excelDate(fmt.portal(d.finishedMin)) : null;
    const values: ExcelJS.CellValue[] = [
      f.rows,
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
    const row = f.ws.addRow(values);
    for (const c of [6, 7, 8, 9]) if (values[c - 1] instanceof Date) row.getCell(c).numFmt = 'dd/mm/yyyy hh:mm';
    row.commit();
  }

  /** One row of the sổ theo dõi hồ sơ. */
  private bookRow(f: OpenFile, d: GenDossier): void {
    const { fmt, reg } = this;
    const finished = d.finishedMin >= 0 ? fmt.portal(d.finishedMin) : '';
    f.ws
      .addRow([
        f.rows,
        d.id,
        reg.procedures[d.procedure]?.row.name ?? '',
        1,
        `Người nộp ${f.rows}`,
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
      ])
      .commit();
  }
}
