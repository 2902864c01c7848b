/** Lambda: land staged raw files (DuckDB inside the function): type, validate, quarantine, publish partitions. */
import { z } from 'zod';
import { land } from '../core/pipeline.js';
import { isRawKind, type RawKind } from '../core/lake/sources.js';
import { logger, parseEvent, pipelineContext, startInvocation, type LambdaContext } from './_runtime.js';

const Event = z.object({ kinds: z.array(z.string().refine(isRawKind, 'unknown raw kind')).optional() }).passthrough();

export async function handler(event: unknown, context?: LambdaContext) {
  const input = parseEvent(Event, event, 'land');
  const config = startInvocation(context);
  const ctx = pipelineContext(config, context?.awsRequestId);
  const summary = await land(ctx, input.kinds ? { kinds: input.kinds as RawKind[] } : {});
  logger.info('land done', { summary });
  return { step: 'land', summary };
}
