/**
 * Lambda: build the monthly report pack of one month (default: the month before, Asia/Ho_Chi_Minh)
 * from its published snapshot into reports/<YYYY-MM>/ (DOCX, PDF, Biểu 06 XLSX, manifest). No
 * browser and no office suite: the documents are written by docx, pdfkit and exceljs, with the TTF
 * fonts packaged beside the bundle (REPORT_FONTS_DIR). A published pack is verified, never rewritten.
 */
import { z } from 'zod';
import { buildReportPack } from '../core/report/index.js';
import { lakeStorage, logger, monthFromNow, parseEvent, removeDir, startInvocation, YearMonth, type LambdaContext } from './_runtime.js';
import path from 'node:path';

const Event = z.object({ period: YearMonth.optional() }).passthrough();

export async function handler(event: unknown, context?: LambdaContext) {
  const input = parseEvent(Event, event, 'report');
  const config = startInvocation(context);
  const period = input.period ?? monthFromNow(-1);
  const workDir = path.join(config.workDir, context?.awsRequestId ?? 'local');
  try {
    const summary = await buildReportPack(lakeStorage(config), { period, workDir });
    logger.info('report done', { period, summary });
    return { step: 'report', period, summary };
  } finally {
    await removeDir(workDir);
  }
}
