/** Lambda: land staged raw files (DuckDB inside the function): type, validate, quarantine, publish partitions. */
import { z } from 'zod';
import { landGoingOn, landStepAnswer, rejectedFiles } from '../core/pipeline.js';
import { isRawKind, type RawKind } from '../core/lake/sources.js';
import { logger, parseEvent, pipelineContext, startInvocation, type LambdaContext } from './_runtime.js';

const Event = z.object({ kinds: z.array(z.string().refine(isRawKind, 'unknown raw kind')).optional() }).passthrough();

export async function handler(event: unknown, context?: LambdaContext) {
  const input = parseEvent(Event, event, 'land');
  const config = startInvocation(context);
  const ctx = pipelineContext(config, context?.awsRequestId);
  const { summary } = await landGoingOn(ctx, input.kinds ? { kinds: input.kinds as RawKind[] } : {});
  // A rejected file does not fail the step: the state machine transforms and publishes what landed,
  // publishes no snapshot while any file waits (this land's or an earlier one's), and ends in
  // FilesRejected naming them. The files are logged; the state machine gets counts (landStepAnswer).
  const waiting = await rejectedFiles(ctx);
  if (waiting.length > 0) logger.error('rejected files wait', { waiting: waiting.map((r) => ({ file: r.original_name, kind: r.kind, error: r.error })) });
  const answer = landStepAnswer(summary, waiting);
  logger.info('land done', { summary: answer, files: summary.files.map((f) => ({ file: f.original_name, kind: f.kind, read: f.rows_read, landed: f.rows_landed, quarantined: f.rows_quarantined })) });
  return { step: 'land', summary: answer };
}
