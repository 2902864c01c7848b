/** Lambda: run the sql/ models on Athena (CTAS per model, atomic view switch) and their tests. */
import { z } from 'zod';
import { transform } from '../core/pipeline.js';
import { logger, parseEvent, pipelineContext, startInvocation, type LambdaContext } from './_runtime.js';

const Event = z.object({}).passthrough();

export async function handler(event: unknown, context?: LambdaContext) {
  parseEvent(Event, event, 'transform');
  const config = startInvocation(context);
  const summary = await transform(pipelineContext(config, context?.awsRequestId), {});
  logger.info('transform done', { summary });
  // A failing model test fails the transform itself; the state machine's "Checks" step reads `models`.
  return { step: 'transform', models: summary.models.length, testsPassed: summary.testsPassed, testsWarned: summary.testsWarned };
}
