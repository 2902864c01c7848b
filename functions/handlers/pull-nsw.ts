/**
 * Lambda: stage the NSW CSV exports agencies dropped under NSW_DROP_PREFIX (s3://…) into raw/, through
 * the drop connector as the CLI's drop directory (the objects are copied to <work>/nsw-drop/nsw/, so the
 * same NSW rules `<agency_code>/<yyyy-mm>.csv` and original names `nsw/…` apply): a name that breaks
 * them is logged and returned in `skipped` with its reason, the rest is staged. Only the objects new or
 * changed since a run staged them are copied (stageDropPrefix: their keys and ETags are recorded under
 * manifest/drop/ in the raw bucket); the others are counted in `unchanged`.
 */
import path from 'node:path';
import { z } from 'zod';
import { stageDropPrefix } from '../core/pipeline.js';
import { logger, parseEvent, pipelineContext, removeDir, s3Prefix, startInvocation, type LambdaContext } from './_runtime.js';

const Event = z.object({}).passthrough();

export async function handler(event: unknown, context?: LambdaContext) {
  parseEvent(Event, event, 'pull-nsw');
  const config = startInvocation(context);
  const ctx = pipelineContext(config, context?.awsRequestId);
  let summary: Awaited<ReturnType<typeof stageDropPrefix>>;
  try {
    summary = await stageDropPrefix(ctx, { drop: s3Prefix(config.nswDropPrefix), dir: path.join(ctx.workDir, 'nsw-drop'), sub: 'nsw', include: ['nsw-csv'] });
  } finally {
    // A warm container keeps /tmp between invocations: the copy of the drop goes with this one.
    await removeDir(ctx.workDir);
  }
  const files = summary.staged + summary.alreadyLanded + summary.alreadyRejected + summary.unchanged;
  logger.info('pull-nsw done', { files, summary });
  return { step: 'pull-nsw', files, staged: summary.staged, alreadyLanded: summary.alreadyLanded, unchanged: summary.unchanged, skipped: summary.skipped };
}
