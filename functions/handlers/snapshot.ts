/**
 * Lambda: freeze the marts of one month under snapshots/<YYYY-MM>/ (default: the month before,
 * Asia/Ho_Chi_Minh). The snapshot runs on Athena (functions/core/pipeline.ts, snapshot): as-of views
 * over the lake's Glue tables and the models in the snapshot's own database, the marts cut by CTAS,
 * the files and the manifest written to S3. Nothing of the lake is copied into the function.
 */
import { z } from 'zod';
import { snapshot } from '../core/pipeline.js';
import { SOURCE_NAME } from '../core/transform/snapshot.js';
import { logger, monthFromNow, parseEvent, pipelineContext, startInvocation, YearMonth, type LambdaContext } from './_runtime.js';

const Event = z
  .object({
    period: YearMonth.optional(),
    /** Suffix of the snapshot's scratch tables and prefixes on Athena (default: time + random). */
    runId: z.string().regex(/^[a-z0-9_]{1,40}$/, 'expected [a-z0-9_]{1,40}').optional(),
    /** Dossier sources whose months without a file may be frozen so (the CLI's --allow-missing; recorded in the manifest). */
    allowMissing: z.array(z.string().regex(SOURCE_NAME, 'expected a source (portal, nsw) or an NSW unit (nsw/<agency code>)')).optional(),
    /** Dossier sources that have ended (the CLI's --source-ended; later snapshots keep them ended). */
    endedSources: z.array(z.string().regex(SOURCE_NAME, 'expected a source (portal, nsw) or an NSW unit (nsw/<agency code>)')).optional(),
  })
  .passthrough();

export async function handler(event: unknown, context?: LambdaContext) {
  const input = parseEvent(Event, event, 'snapshot');
  const config = startInvocation(context);
  const period = input.period ?? monthFromNow(-1);
  // snapshot() holds the lake lock while it reads the lake and publishes.
  const summary = await snapshot(pipelineContext(config, context?.awsRequestId, input.runId ? { runId: input.runId } : {}), { period, allowMissing: input.allowMissing ?? [], endedSources: input.endedSources ?? [] });
  logger.info('snapshot done', { period, summary });
  return { step: 'snapshot', period, summary };
}
