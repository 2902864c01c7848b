/** Lambda: land staged raw files (DuckDB inside the function): type, validate, quarantine, publish partitions. */
import { z } from 'zod';
import { landGoingOn } from '../core/pipeline.js';
import { isRawKind, type RawKind } from '../core/lake/sources.js';
import { logger, parseEvent, pipelineContext, startInvocation, type LambdaContext } from './_runtime.js';

const Event = z.object({ kinds: z.array(z.string().refine(isRawKind, 'unknown raw kind')).optional() }).passthrough();

export async function handler(event: unknown, context?: LambdaContext) {
  const input = parseEvent(Event, event, 'land');
  const config = startInvocation(context);
  const ctx = pipelineContext(config, context?.awsRequestId);
  const { summary, rejected } = await landGoingOn(ctx, input.kinds ? { kinds: input.kinds as RawKind[] } : {});
  // A rejected file does not fail the step: the state machine transforms and publishes what landed,
  // publishes no snapshot, and ends in FilesRejected naming the files (summary.rejected).
  if (rejected) logger.error('land rejected files', { rejected: summary.rejected.map((r) => ({ file: r.original_name, error: r.error })) });
  logger.info('land done', { summary });
  return { step: 'land', summary, rejectedCount: summary.rejected.length };
}
