/** Lambda: run the sql/ models on Athena (CTAS per model, atomic view switch) and their tests. */
import { z } from 'zod';
import { transform } from '../core/pipeline.js';
import { logger, parseEvent, pipelineContext, startInvocation, type LambdaContext } from './_runtime.js';

const Event = z
  .object({
    /** Suffix of this run's tables and prefixes (default: time + random); e.g. to reproduce a run. */
    runId: z.string().regex(/^[a-z0-9_]{1,40}$/, 'expected [a-z0-9_]{1,40}').optional(),
  })
  .passthrough();

export async function handler(event: unknown, context?: LambdaContext) {
  const input = parseEvent(Event, event, 'transform');
  const config = startInvocation(context);
  const summary = await transform(pipelineContext(config, context?.awsRequestId, input.runId ? { runId: input.runId } : {}), {});
  logger.info('transform done', { summary });
  // A failing model test fails the transform itself; the state machine's "Checks" step reads `models`.
  // Optional sources with nothing landed (766, PAR, Biểu 06) are named, not failed.
  return {
    step: 'transform',
    models: summary.models.length,
    testsPassed: summary.testsPassed,
    testsWarned: summary.testsWarned,
    missingSources: summary.missingSources.map((m) => m.dataset),
  };
}
