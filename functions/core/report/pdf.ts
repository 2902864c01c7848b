/**
 * The report as PDF (pdfkit): the same model as the DOCX, A4 with the decree's margins, DejaVu
 * Serif embedded (subset) so Vietnamese renders and extracts exactly, two vector charts drawn with
 * paths (monthly trend; on-time rate by agency), page numbers from page 2 at the top centre. The
 * document dates and file id derive from the snapshot's date, so the same model gives the same bytes.
 */
import PDFDocument from 'pdfkit';
import { documentDate } from '../readers/xlsx/common.js';
import { formatViNumber } from '../vi/index.js';
import { reportFontPaths, type FontFace } from './fonts.js';
import type { Block, Chart, ReportDoc, TableColumn, TableRow } from './model.js';
import { periodMonthText } from './model.js';

const MM = 72 / 25.4;
const MARGINS = { top: 20 * MM, bottom: 20 * MM, left: 30 * MM, right: 15 * MM };
const BODY = 12;
const SUPERSCRIPT = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
const sup = (n: number): string => String(n).split('').map((d) => SUPERSCRIPT[Number(d)]).join('');

type Doc = PDFKit.PDFDocument;

export async function renderPdf(doc: ReportDoc): Promise<Buffer> {
  const when = documentDate(doc.documentDate);
  const fonts = reportFontPaths();
  const pdf: Doc = new PDFDocument({
    size: 'A4',
    margins: MARGINS,
    bufferPages: true,
    autoFirstPage: true,
    font: fonts.regular,
    lang: 'vi-VN',
    displayTitle: true,
    info: {
      Title: `${doc.title} ${doc.subtitle}`,
      Author: 'Sở Nội vụ',
      Subject: `Báo cáo ${periodMonthText(doc.period)}`,
      Creator: 'cchc-pipeline',
      Producer: 'cchc-pipeline (pdfkit)',
      CreationDate: when,
      ModDate: when,
    },
  });
  for (const [face, file] of Object.entries(fonts)) pdf.registerFont(face, file);
  const chunks: Buffer[] = [];
  pdf.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });

  const r = new Renderer(pdf);
  r.header(doc);
  const usedNotes = new Set<number>();
  for (const b of doc.blocks) r.block(b, doc, usedNotes);
  r.closing(doc);
  r.pageNumbers();
  pdf.end();
  return done;
}

class Renderer {
  constructor(private readonly pdf: Doc) {}

  private get left(): number {
    return this.pdf.page.margins.left;
  }
  private get width(): number {
    return this.pdf.page.width - this.pdf.page.margins.left - this.pdf.page.margins.right;
  }
  private get bottom(): number {
    return this.pdf.page.height - this.pdf.page.margins.bottom;
  }

  private font(face: FontFace, size: number): Doc {
    return this.pdf.font(face).fontSize(size);
  }

  private ensure(height: number, layout?: 'portrait' | 'landscape'): void {
    const current = this.pdf.page.width > this.pdf.page.height ? 'landscape' : 'portrait';
    if ((layout && layout !== current) || this.pdf.y + height > this.bottom) {
      this.pdf.addPage({ size: 'A4', layout: layout ?? current, margins: MARGINS });
    }
  }

  private centred(text: string, x: number, y: number, w: number, face: FontFace, size: number): number {
    this.font(face, size).text(text, x, y, { width: w, align: 'center' });
    return this.pdf.y;
  }

  header(doc: ReportDoc): void {
    const x = this.left;
    const w = this.width;
    const lw = w * 0.4;
    const rw = w - lw;
    const top = this.pdf.page.margins.top;
    let ly = this.centred(doc.issuer[0], x, top, lw, 'regular', 12);
    ly = this.centred(doc.issuer[1], x, ly, lw, 'bold', 12);
    this.hrule(x + lw * 0.3, x + lw * 0.7, ly + 4);
    let ry = this.centred(doc.motto[0], x + lw, top, rw, 'bold', 11.5);
    ry = this.centred(doc.motto[1], x + lw, ry, rw, 'bold', 12.5);
    this.hrule(x + lw + rw * 0.22, x + lw + rw * 0.78, ry + 4);
    const y2 = Math.max(ly, ry) + 12;
    this.centred(doc.numberLine, x, y2, lw, 'regular', 12);
    this.centred(doc.placeDate, x + lw, y2, rw, 'italic', 12.5);
    let y = this.pdf.y + 22;
    y = this.centred(doc.title, x, y, w, 'bold', 14);
    y = this.centred(doc.subtitle, x, y, w, 'bold', 13.5);
    this.hrule(x + w * 0.4, x + w * 0.6, y + 6);
    y += 14;
    if (doc.banner) y = this.centred(doc.banner, x, y, w, 'italic', 10.5) + 2;
    this.pdf.x = x;
    this.pdf.y = y + 8;
  }

  private hrule(x1: number, x2: number, y: number): void {
    this.pdf.save().lineWidth(0.7).moveTo(x1, y).lineTo(x2, y).stroke('#000000').restore();
  }

  block(b: Block, doc: ReportDoc, usedNotes: Set<number>): void {
    const pdf = this.pdf;
    switch (b.kind) {
      case 'heading': {
        // Keep a heading with what follows it (a paragraph and the start of a table).
        this.ensure(b.level === 1 ? 150 : 120, 'portrait');
        this.font('bold', b.level === 1 ? 12.5 : 12).text(b.text, this.left, pdf.y + 6, { width: this.width, align: 'left', indent: 10 * MM });
        pdf.y += 3;
        return;
      }
      case 'paragraph': {
        this.ensure(30, 'portrait');
        this.font(b.italic ? 'italic' : 'regular', BODY).text(b.text, this.left, pdf.y + 3, { width: this.width, align: 'justify', indent: 10 * MM, lineGap: 2.5 });
        pdf.y += 3;
        return;
      }
      case 'table': {
        this.table(b.id, b.caption, b.columns, b.rows, b.landscape ? 'landscape' : 'portrait', Math.min(b.fontSize ?? 10, 10) - (b.landscape ? 0.5 : 0.5));
        const notes = [...new Set(b.rows.flatMap((r) => r.notes ?? []))].filter((n) => !usedNotes.has(n)).sort((a, c) => a - c);
        for (const n of notes) {
          usedNotes.add(n);
          this.ensure(24);
          this.font('regular', 8.5).text(`${sup(n)} ${doc.footnotes[n] ?? ''}`, this.left, pdf.y + 1, { width: this.width, align: 'left' });
        }
        pdf.y += 8;
        return;
      }
      case 'chart': {
        if (b.id === 'monthly-trend') this.trendChart(b.title, doc.charts.trend);
        else this.agencyChart(b.title, doc.charts.onTimeByAgency);
        return;
      }
    }
  }

  private table(_id: string, caption: string | undefined, columns: TableColumn[], rows: TableRow[], layout: 'portrait' | 'landscape', size: number): void {
    const pdf = this.pdf;
    const pad = 2.5;
    this.ensure(80, layout);
    const total = columns.reduce((s, c) => s + c.width, 0);
    const widths = columns.map((c) => (c.width / total) * this.width);
    const xs = widths.map((_, i) => this.left + widths.slice(0, i).reduce((s, w) => s + w, 0));
    if (caption) {
      this.font('bold', 11).text(caption, this.left, pdf.y + 4, { width: this.width, align: 'center' });
      pdf.y += 4;
    }
    const cellText = (r: TableRow, i: number): string => (r.noteCell === i && r.notes?.length ? `${r.cells[i]}${r.notes.map(sup).join('')}` : r.cells[i] ?? '');
    const heightOf = (texts: string[], face: FontFace): number =>
      Math.max(...texts.map((t, i) => this.font(face, size).heightOfString(t || ' ', { width: widths[i]! - 2 * pad }))) + 2 * pad;
    const drawRow = (texts: string[], face: FontFace, aligns: ('left' | 'center' | 'right')[], y: number, h: number, shade: boolean): void => {
      if (shade) pdf.save().rect(this.left, y, this.width, h).fill('#e8e8e8').restore();
      texts.forEach((t, i) => {
        pdf.save().lineWidth(0.5).rect(xs[i]!, y, widths[i]!, h).stroke('#000000').restore();
        const th = this.font(face, size).heightOfString(t || ' ', { width: widths[i]! - 2 * pad });
        this.font(face, size).fillColor('#000000').text(t, xs[i]! + pad, y + (h - th) / 2, { width: widths[i]! - 2 * pad, align: aligns[i] });
      });
    };
    const headTexts = columns.map((c) => c.header);
    const headH = heightOf(headTexts, 'bold');
    const head = (): void => {
      const y = pdf.y;
      drawRow(headTexts, 'bold', columns.map(() => 'center'), y, headH, true);
      pdf.y = y + headH;
    };
    head();
    for (const r of rows) {
      const texts = r.cells.map((_, i) => cellText(r, i));
      const face: FontFace = r.bold ? 'bold' : 'regular';
      const h = heightOf(texts, face);
      if (pdf.y + h > this.bottom) {
        pdf.addPage({ size: 'A4', layout, margins: MARGINS });
        head();
      }
      const y = pdf.y;
      drawRow(texts, face, columns.map((c) => c.align), y, h, false);
      pdf.y = y + h;
    }
    pdf.x = this.left;
    pdf.y += 4;
  }

  /** Bars: dossiers received per month (left axis); line: on-time rate (right axis, 0–100 %). */
  private trendChart(title: string, data: Chart['trend']): void {
    const pdf = this.pdf;
    const h = 190;
    this.ensure(h + 40, 'portrait');
    this.font('bold', 11).text(title, this.left, pdf.y + 6, { width: this.width, align: 'center' });
    const top = pdf.y + 8;
    const x0 = this.left + 42;
    const x1 = this.left + this.width - 42;
    const y0 = top + h - 30; // x axis
    const plotH = h - 40;
    const maxReceived = Math.max(1, ...data.map((d) => d.received));
    const step = niceStep(maxReceived);
    const yMax = Math.ceil(maxReceived / step) * step;
    const bw = (x1 - x0) / Math.max(1, data.length);
    pdf.save().lineWidth(0.4);
    for (let v = 0; v <= yMax; v += step) {
      const y = y0 - (v / yMax) * plotH;
      pdf.moveTo(x0, y).lineTo(x1, y).stroke('#cccccc');
      this.font('regular', 7.5).fillColor('#000000').text(formatViNumber(v), this.left, y - 4, { width: 38, align: 'right' });
    }
    for (let p = 0; p <= 100; p += 25) {
      const y = y0 - (p / 100) * plotH;
      this.font('regular', 7.5).fillColor('#1f4e79').text(`${p}%`, x1 + 4, y - 4, { width: 36, align: 'left' });
    }
    data.forEach((d, i) => {
      const bh = (d.received / yMax) * plotH;
      pdf.rect(x0 + i * bw + bw * 0.2, y0 - bh, bw * 0.6, bh).fill('#9dc3e6');
      this.font('regular', 7.5).fillColor('#000000').text(d.label, x0 + i * bw, y0 + 4, { width: bw, align: 'center' });
    });
    const pts = data.map((d, i) => (d.onTimeRate === null ? null : ([x0 + i * bw + bw / 2, y0 - d.onTimeRate * plotH] as const)));
    let started = false;
    for (const p of pts) {
      if (!p) {
        started = false;
        continue;
      }
      if (!started) pdf.moveTo(p[0], p[1]);
      else pdf.lineTo(p[0], p[1]);
      started = true;
    }
    pdf.lineWidth(1.5).stroke('#1f4e79');
    for (const p of pts) if (p) pdf.circle(p[0], p[1], 2).fill('#1f4e79');
    pdf.moveTo(x0, y0).lineTo(x1, y0).lineWidth(0.7).stroke('#000000');
    pdf.restore();
    // Legend.
    const ly = y0 + 17;
    pdf.rect(x0, ly + 1, 10, 7).fill('#9dc3e6');
    this.font('regular', 8).fillColor('#000000').text('Hồ sơ tiếp nhận (trục trái)', x0 + 14, ly, { width: 160 });
    pdf.save().moveTo(x0 + 180, ly + 4.5).lineTo(x0 + 192, ly + 4.5).lineWidth(1.5).stroke('#1f4e79').restore();
    this.font('regular', 8).fillColor('#000000').text('Tỷ lệ đúng hạn (trục phải)', x0 + 196, ly, { width: 180 });
    pdf.x = this.left;
    pdf.y = top + h + 4;
  }

  /** Horizontal bars: on-time rate of each agency with resolved dossiers, highest first. */
  private agencyChart(title: string, data: Chart['onTimeByAgency']): void {
    const pdf = this.pdf;
    const rowH = 13;
    const h = data.length * rowH + 30;
    this.ensure(Math.min(h + 30, 300), 'portrait');
    this.font('bold', 11).text(title, this.left, pdf.y + 6, { width: this.width, align: 'center' });
    let y = pdf.y + 6;
    const labelW = 150;
    const x0 = this.left + labelW + 6;
    const x1 = this.left + this.width - 50;
    if (data.length === 0) {
      this.font('italic', 10).text('Không có đơn vị nào có hồ sơ giải quyết trong tháng.', this.left, y, { width: this.width, align: 'center' });
      return;
    }
    const axisTop = y;
    for (const d of data) {
      if (y + rowH > this.bottom - 20) {
        this.axis(x0, x1, axisTop, y);
        pdf.addPage({ size: 'A4', layout: 'portrait', margins: MARGINS });
        y = pdf.y;
      }
      this.font('regular', 8).fillColor('#000000').text(d.label, this.left, y + 2, { width: labelW, align: 'right', lineBreak: false, ellipsis: true });
      pdf.rect(x0, y + 2, (x1 - x0) * d.value, rowH - 4).fill(d.value >= 0.95 ? '#70ad47' : d.value >= 0.8 ? '#ffc000' : '#c00000');
      this.font('regular', 8).fillColor('#000000').text(`${formatViNumber(d.value * 100, 2)}%`, x0 + (x1 - x0) * d.value + 3, y + 2, { width: 46, lineBreak: false });
      y += rowH;
    }
    this.axis(x0, x1, axisTop, y);
    pdf.x = this.left;
    pdf.y = y + 18;
  }

  private axis(x0: number, x1: number, top: number, y: number): void {
    const pdf = this.pdf;
    pdf.save().lineWidth(0.4);
    for (let p = 0; p <= 100; p += 20) {
      const x = x0 + ((x1 - x0) * p) / 100;
      pdf.moveTo(x, top).lineTo(x, y).stroke('#bbbbbb');
      this.font('regular', 7).fillColor('#000000').text(`${p}%`, x - 15, y + 2, { width: 30, align: 'center' });
    }
    pdf.moveTo(x0, top).lineTo(x0, y).lineWidth(0.7).stroke('#000000');
    pdf.restore();
  }

  closing(doc: ReportDoc): void {
    const pdf = this.pdf;
    this.ensure(130, 'portrait');
    const x = this.left;
    const w = this.width;
    const top = pdf.y + 14;
    this.font('boldItalic', 11).text('Nơi nhận:', x, top, { width: w / 2 });
    for (const r of doc.recipients) this.font('regular', 10).text(r, x, pdf.y, { width: w / 2 });
    const ly = pdf.y;
    let ry = this.centred(doc.signer.title, x + w / 2, top, w / 2, 'bold', 12.5);
    ry = this.centred(doc.signer.note, x + w / 2, ry, w / 2, 'italic', 11);
    pdf.x = x;
    pdf.y = Math.max(ly, ry + 60);
  }

  pageNumbers(): void {
    const pdf = this.pdf;
    const range = pdf.bufferedPageRange();
    for (let i = range.start + 1; i < range.start + range.count; i++) {
      pdf.switchToPage(i);
      const m = pdf.page.margins;
      this.font('regular', 11).text(String(i + 1), m.left, m.top / 2 - 4, { width: pdf.page.width - m.left - m.right, align: 'center', lineBreak: false });
    }
  }
}

function niceStep(max: number): number {
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const f of [1, 2, 2.5, 5, 10]) if (f * mag >= raw) return f * mag;
  return 10 * mag;
}
