/** Lambda: pull the portal's dossier API (incremental: last month and this month by default) into raw/. */
import { z } from 'zod';
import { pullPortal } from '../core/pipeline.js';
import { logger, monthFromNow, parseEvent, pipelineContext, portalToken, startInvocation, YearMonth, type LambdaContext } from './_runtime.js';

const Event = z.object({ from: YearMonth.optional(), to: YearMonth.optional() }).strict();

export async function handler(event: unknown, context?: LambdaContext) {
  const input = parseEvent(Event, event, 'pull-portal');
  const config = startInvocation(context);
  const ctx = pipelineContext(config, context?.awsRequestId);
  const from = input.from ?? monthFromNow(-1);
  const to = input.to ?? monthFromNow(0);
  const summary = await pullPortal(ctx, { from, to, token: await portalToken(config) });
  logger.info('pull-portal done', { from, to, summary });
  return { step: 'pull-portal', from, to, staged: summary.staged, alreadyLanded: summary.alreadyLanded, rows: summary.rows };
}
