export { loadReportData, missingSnapshotError, type ReportData } from './data.js';
export { buildReportDoc, onTimeRanks, type ReportDoc } from './model.js';
export { renderDocx } from './docx.js';
export { renderPdf } from './pdf.js';
export { buildPackFiles, buildReportPack, listReportPacks, revisionDir, ReportManifest, REPORTS_PREFIX, type ReportPackSummary } from './pack.js';
export { reportFontsDir, REPORT_FONT_FILES } from './fonts.js';
