/**
 * Lambda: stage the NSW CSV exports agencies dropped under NSW_DROP_PREFIX (s3://…) into raw/, by the
 * NSW drop connector's rules (`<agency_code>/<yyyy-mm>.csv`, as the CLI's drop directory reads nsw/):
 * a name that breaks them is logged and returned in `skipped` with its reason, the rest is staged.
 */
import path from 'node:path';
import { z } from 'zod';
import { ingestNswDrop } from '../core/pipeline.js';
import { downloadPrefix, logger, parseEvent, pipelineContext, startInvocation, type LambdaContext } from './_runtime.js';

const Event = z.object({}).passthrough();

export async function handler(event: unknown, context?: LambdaContext) {
  parseEvent(Event, event, 'pull-nsw');
  const config = startInvocation(context);
  const ctx = pipelineContext(config, context?.awsRequestId);
  // Create-once content-hash keys make re-staging an already landed export a no-op.
  const dir = path.join(ctx.workDir, 'nsw-drop');
  await downloadPrefix(config.nswDropPrefix, dir);
  const summary = await ingestNswDrop(ctx, dir);
  const files = summary.staged + summary.alreadyLanded + summary.alreadyRejected;
  logger.info('pull-nsw done', { files, summary });
  return { step: 'pull-nsw', files, staged: summary.staged, alreadyLanded: summary.alreadyLanded, skipped: summary.skipped };
}
