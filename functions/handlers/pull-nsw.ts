/**
 * Lambda: stage the NSW CSV exports agencies dropped under NSW_DROP_PREFIX (s3://…) into raw/, through
 * the drop connector as the CLI's drop directory (the prefix is copied to <work>/nsw-drop/nsw/, so the
 * same NSW rules `<agency_code>/<yyyy-mm>.csv` and original names `nsw/…` apply): a name that breaks
 * them is logged and returned in `skipped` with its reason, the rest is staged.
 */
import path from 'node:path';
import { z } from 'zod';
import { ingestDropDir } from '../core/pipeline.js';
import { downloadPrefix, logger, parseEvent, pipelineContext, removeDir, startInvocation, type LambdaContext } from './_runtime.js';

const Event = z.object({}).passthrough();

export async function handler(event: unknown, context?: LambdaContext) {
  parseEvent(Event, event, 'pull-nsw');
  const config = startInvocation(context);
  const ctx = pipelineContext(config, context?.awsRequestId);
  // Create-once content-hash keys make re-staging an already landed export a no-op.
  const dir = path.join(ctx.workDir, 'nsw-drop');
  let summary: Awaited<ReturnType<typeof ingestDropDir>>;
  try {
    await downloadPrefix(config.nswDropPrefix, path.join(dir, 'nsw'));
    summary = await ingestDropDir(ctx, { dir, include: ['nsw-csv'] });
  } finally {
    // A warm container keeps /tmp between invocations: the copy of the drop goes with this one.
    await removeDir(ctx.workDir);
  }
  const files = summary.staged + summary.alreadyLanded + summary.alreadyRejected;
  logger.info('pull-nsw done', { files, summary });
  return { step: 'pull-nsw', files, staged: summary.staged, alreadyLanded: summary.alreadyLanded, skipped: summary.skipped };
}
