/**
 * The report as a Word document (docx): A4, the margins of Nghị định 30/2020/NĐ-CP (top and bottom
 * 20 mm, left 30 mm, right 15 mm), Times New Roman 14 pt body, real Heading 1/Heading 2 paragraphs
 * and real tables an official can edit, footnotes for merged units, page numbers from page 2 at
 * the top centre. The wide agency table gets a landscape section. Same model → same bytes: the core
 * properties carry the snapshot's date and the zip entries a fixed time.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  FootnoteReferenceRun,
  Header,
  HeadingLevel,
  Packer,
  PageNumber,
  PageOrientation,
  Paragraph,
  Table,
  TableCell,
  TableLayoutType,
  TableRow,
  TextRun,
  VerticalAlign,
  WidthType,
  type ISectionOptions,
} from 'docx';
import { documentDate, fixZipDates } from '../readers/xlsx/common.js';
import type { Align, Block, ReportDoc } from './model.js';
import { periodMonthText } from './model.js';

const FONT = 'Times New Roman';
const MM = 56.6929; // twips per millimetre
const A4 = { width: Math.round(210 * MM), height: Math.round(297 * MM) };
export const DOCX_MARGINS_MM = { top: 20, bottom: 20, left: 30, right: 15 } as const;
const margin = {
  top: Math.round(DOCX_MARGINS_MM.top * MM),
  bottom: Math.round(DOCX_MARGINS_MM.bottom * MM),
  left: Math.round(DOCX_MARGINS_MM.left * MM),
  right: Math.round(DOCX_MARGINS_MM.right * MM),
  header: Math.round(10 * MM),
  footer: Math.round(10 * MM),
};
const BODY_PT = 14;
const NONE = { style: BorderStyle.NONE, size: 0, color: 'FFFFFF' } as const;
const NO_BORDERS = { top: NONE, bottom: NONE, left: NONE, right: NONE, insideHorizontal: NONE, insideVertical: NONE };
const THIN = { style: BorderStyle.SINGLE, size: 4, color: '000000' } as const;
const GRID = { top: THIN, bottom: THIN, left: THIN, right: THIN, insideHorizontal: THIN, insideVertical: THIN };

const align = (a: Align) => (a === 'right' ? AlignmentType.RIGHT : a === 'center' ? AlignmentType.CENTER : AlignmentType.LEFT);
const run = (text: string, o: { bold?: boolean; italic?: boolean; size?: number } = {}) =>
  new TextRun({ text, font: FONT, size: (o.size ?? BODY_PT) * 2, bold: o.bold ?? false, italics: o.italic ?? false });
const centered = (text: string, o: { bold?: boolean; italic?: boolean; size?: number } = {}, after = 0) =>
  new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 0, after }, children: [run(text, o)] });
/** A short centred rule under a line (the decree's line under the body name and the motto). */
const rule = (indentTwips: number) =>
  new Paragraph({
    alignment: AlignmentType.CENTER,
    indent: { left: indentTwips, right: indentTwips },
    border: { top: { style: BorderStyle.SINGLE, size: 6, color: '000000', space: 1 } },
    spacing: { before: 0, after: 0 },
    children: [],
  });

function headerBlock(doc: ReportDoc): Table {
  const textWidth = A4.width - margin.left - margin.right;
  const left = Math.round(textWidth * 0.4);
  const cell = (children: Paragraph[], width: number) =>
    new TableCell({ children, width: { size: width, type: WidthType.DXA }, borders: { top: NONE, bottom: NONE, left: NONE, right: NONE } });
  return new Table({
    width: { size: textWidth, type: WidthType.DXA },
    columnWidths: [left, textWidth - left],
    layout: TableLayoutType.FIXED,
    borders: NO_BORDERS,
    rows: [
      new TableRow({
        children: [
          cell([centered(doc.issuer[0], { size: 13 }), centered(doc.issuer[1], { bold: true, size: 13 }), rule(Math.round(left * 0.3))], left),
          cell([centered(doc.motto[0], { bold: true, size: 13 }), centered(doc.motto[1], { bold: true, size: 14 }), rule(Math.round((textWidth - left) * 0.22))], textWidth - left),
        ],
      }),
      new TableRow({
        children: [
          cell([new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 120 }, children: [run(doc.numberLine, { size: 13 })] })], left),
          cell([new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 120 }, children: [run(doc.placeDate, { italic: true, size: 14 })] })], textWidth - left),
        ],
      }),
    ],
  });
}

function tableBlock(b: Extract<Block, { kind: 'table' }>, textWidth: number): (Paragraph | Table)[] {
  const size = b.fontSize ?? 12;
  const total = b.columns.reduce((s, c) => s + c.width, 0);
  const widths = b.columns.map((c) => Math.floor((c.width / total) * textWidth));
  const cellPara = (text: string, a: Align, bold: boolean, notes: number[] = []) =>
    new Paragraph({
      alignment: align(a),
      spacing: { before: 20, after: 20 },
      children: [run(text, { bold, size }), ...notes.map((n) => new FootnoteReferenceRun(n))],
    });
  const header = new TableRow({
    tableHeader: true,
    cantSplit: true,
    children: b.columns.map(
      (c, i) => new TableCell({ width: { size: widths[i]!, type: WidthType.DXA }, verticalAlign: VerticalAlign.CENTER, children: [cellPara(c.header, 'center', true)] }),
    ),
  });
  const rows = b.rows.map(
    (r) =>
      new TableRow({
        cantSplit: true,
        children: r.cells.map(
          (text, i) =>
            new TableCell({
              width: { size: widths[i]!, type: WidthType.DXA },
              verticalAlign: VerticalAlign.CENTER,
              children: [cellPara(text, b.columns[i]!.align, r.bold ?? false, r.noteCell === i ? r.notes : [])],
            }),
        ),
      }),
  );
  const out: (Paragraph | Table)[] = [];
  if (b.caption) out.push(new Paragraph({ alignment: AlignmentType.CENTER, keepNext: true, spacing: { before: 120, after: 60 }, children: [run(b.caption, { bold: true, size: 13 })] }));
  out.push(new Table({ width: { size: textWidth, type: WidthType.DXA }, columnWidths: widths, layout: TableLayoutType.FIXED, borders: GRID, rows: [header, ...rows] }));
  out.push(new Paragraph({ spacing: { after: 60 }, children: [] }));
  return out;
}

function closingBlock(doc: ReportDoc, textWidth: number): Table {
  const left = Math.round(textWidth * 0.5);
  const cell = (children: Paragraph[], width: number) =>
    new TableCell({ children, width: { size: width, type: WidthType.DXA }, borders: { top: NONE, bottom: NONE, left: NONE, right: NONE } });
  return new Table({
    width: { size: textWidth, type: WidthType.DXA },
    columnWidths: [left, textWidth - left],
    layout: TableLayoutType.FIXED,
    borders: NO_BORDERS,
    rows: [
      new TableRow({
        cantSplit: true,
        children: [
          cell(
            [
              new Paragraph({ spacing: { before: 0, after: 0 }, children: [run('Nơi nhận:', { bold: true, italic: true, size: 12 })] }),
              ...doc.recipients.map((r) => new Paragraph({ spacing: { before: 0, after: 0 }, children: [run(r, { size: 11 })] })),
            ],
            left,
          ),
          cell([centered(doc.signer.title, { bold: true, size: 14 }), centered(doc.signer.note, { italic: true, size: 13 }), ...[1, 2, 3, 4].map(() => centered(''))], textWidth - left),
        ],
      }),
    ],
  });
}

/** Build the DOCX bytes of a report model. */
export async function renderDocx(doc: ReportDoc): Promise<Buffer> {
  const portraitWidth = A4.width - margin.left - margin.right;
  const landscapeWidth = A4.height - margin.left - margin.right;
  const pageHeader = new Header({ children: [new Paragraph({ alignment: AlignmentType.CENTER, children: [new TextRun({ children: [PageNumber.CURRENT], font: FONT, size: 26 })] })] });
  const portrait = { page: { size: { width: A4.width, height: A4.height, orientation: PageOrientation.PORTRAIT }, margin } };
  const landscape = { page: { size: { width: A4.width, height: A4.height, orientation: PageOrientation.LANDSCAPE }, margin } };

  const sections: ISectionOptions[] = [];
  let current: (Paragraph | Table)[] = [
    headerBlock(doc),
    new Paragraph({ spacing: { before: 240 }, children: [] }),
    centered(doc.title, { bold: true, size: 14 }),
    centered(doc.subtitle, { bold: true, size: 14 }),
    rule(Math.round(portraitWidth * 0.4)),
  ];
  if (doc.banner) current.push(new Paragraph({ alignment: AlignmentType.CENTER, spacing: { before: 120 }, children: [run(doc.banner, { italic: true, size: 12 })] }));
  current.push(new Paragraph({ spacing: { after: 120 }, children: [] }));
  let first = true;
  const flush = (props: typeof portrait | typeof landscape) => {
    sections.push({ properties: { ...props, ...(first ? { titlePage: true } : {}) }, headers: { default: pageHeader }, children: current });
    first = false;
    current = [];
  };
  for (const b of doc.blocks) {
    switch (b.kind) {
      case 'heading':
        current.push(
          new Paragraph({
            heading: b.level === 1 ? HeadingLevel.HEADING_1 : HeadingLevel.HEADING_2,
            keepNext: true,
            spacing: { before: 120, after: 60 },
            indent: { firstLine: Math.round(10 * MM) },
            children: [run(b.text, { bold: true, size: BODY_PT })],
          }),
        );
        break;
      case 'paragraph':
        current.push(
          new Paragraph({
            alignment: AlignmentType.JUSTIFIED,
            indent: { firstLine: Math.round(10 * MM) },
            spacing: { before: 60, after: 60, line: 300 },
            children: [run(b.text, { italic: b.italic ?? false })],
          }),
        );
        break;
      case 'table':
        if (b.landscape) {
          flush(portrait);
          current.push(...tableBlock(b, landscapeWidth));
          flush(landscape);
        } else {
          current.push(...tableBlock(b, portraitWidth));
        }
        break;
      case 'chart':
        // Charts are drawn in the PDF; the Word draft keeps the text and tables an official edits.
        break;
    }
  }
  current.push(new Paragraph({ spacing: { after: 240 }, children: [] }), closingBlock(doc, portraitWidth));
  flush(portrait);

  const document = new Document({
    creator: 'Sở Nội vụ',
    lastModifiedBy: 'Sở Nội vụ',
    title: `${doc.title} ${doc.subtitle}`,
    styles: {
      default: {
        document: { run: { font: FONT, size: BODY_PT * 2 }, paragraph: { spacing: { line: 276 } } },
        heading1: { run: { font: FONT, size: BODY_PT * 2, bold: true, color: '000000' }, paragraph: { spacing: { before: 120, after: 60 } } },
        heading2: { run: { font: FONT, size: BODY_PT * 2, bold: true, color: '000000' }, paragraph: { spacing: { before: 120, after: 60 } } },
      },
    },
    footnotes: Object.fromEntries(
      Object.entries(doc.footnotes).map(([n, text]) => [n, { children: [new Paragraph({ children: [run(text, { size: 11 })] })] }]),
    ),
    sections,
  });
  const when = documentDate(doc.documentDate);
  const iso = when.toISOString().replace(/\.\d{3}Z$/, 'Z');
  // docx stamps the core properties with the clock; replace them with the snapshot's date (the subject and
  // description as the PDF's Subject names the month).
  const core =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
    'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:title>${xmlText(`${doc.title} ${doc.subtitle}`)}</dc:title><dc:subject>${xmlText(`Báo cáo ${periodMonthText(doc.period)}`)}</dc:subject>` +
    `<dc:creator>Sở Nội vụ</dc:creator><dc:description>${xmlText(`Dự thảo báo cáo ${periodMonthText(doc.period)}, lập từ số liệu chốt ${periodMonthText(doc.period)}`)}</dc:description>` +
    '<cp:lastModifiedBy>Sở Nội vụ</cp:lastModifiedBy>' +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${iso}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${iso}</dcterms:modified>` +
    '</cp:coreProperties>';
  const buf = await Packer.toBuffer(document, false, [{ path: 'docProps/core.xml', data: core }]);
  return fixZipDates(Buffer.from(buf), when);
}

function xmlText(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
