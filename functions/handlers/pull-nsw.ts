/** Lambda: stage the NSW CSV exports agencies dropped under NSW_DROP_PREFIX (s3://…) into raw/. */
import path from 'node:path';
import { z } from 'zod';
import { ingestFiles } from '../core/pipeline.js';
import { downloadPrefix, logger, parseEvent, pipelineContext, startInvocation, type LambdaContext } from './_runtime.js';

const Event = z.object({}).passthrough();

export async function handler(event: unknown, context?: LambdaContext) {
  parseEvent(Event, event, 'pull-nsw');
  const config = startInvocation(context);
  const ctx = pipelineContext(config, context?.awsRequestId);
  // Create-once content-hash keys make re-staging an already landed export a no-op.
  const files = (await downloadPrefix(config.nswDropPrefix, path.join(ctx.workDir, 'nsw-drop'))).filter((f) => f.endsWith('.csv'));
  const summary = await ingestFiles(ctx, { kind: 'nsw-csv', files });
  logger.info('pull-nsw done', { files: files.length, summary });
  return { step: 'pull-nsw', files: files.length, staged: summary.staged, alreadyLanded: summary.alreadyLanded };
}
