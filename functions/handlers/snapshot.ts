/**
 * Lambda: freeze the marts of one month under snapshots/<YYYY-MM>/ (default: the month before,
 * Asia/Ho_Chi_Minh). The models run on DuckDB inside the function, over a copy of landed/ and
 * quarantine/ in /tmp (limits in docs/deploy.md); the snapshot files and manifest go to S3.
 */
import path from 'node:path';
import { z } from 'zod';
import { withLakeLock } from '../core/lake/lock.js';
import { snapshot } from '../core/pipeline.js';
import { readSnapshotManifest } from '../core/transform/snapshot.js';
import { logger, mirroredContext, mirrorLake, monthFromNow, parseEvent, pipelineContext, removeDir, startInvocation, YearMonth, type LambdaContext } from './_runtime.js';

const Event = z.object({ period: YearMonth.optional() }).passthrough();

export async function handler(event: unknown, context?: LambdaContext) {
  const input = parseEvent(Event, event, 'snapshot');
  const config = startInvocation(context);
  const period = input.period ?? monthFromNow(-1);
  const ctx = pipelineContext(config, context?.awsRequestId);
  // Held across the copy and the snapshot, so no landing changes the lake in between.
  const summary = await withLakeLock(ctx.storage, 'snapshot', async () => {
    // A published snapshot is only verified against its manifest: no copy needed.
    if (await readSnapshotManifest(ctx.storage, period)) return snapshot(ctx, { period });
    const mirrorDir = path.join(ctx.workDir, 'lake');
    try {
      const copied = await mirrorLake(ctx.storage, mirrorDir, ['landed/', 'quarantine/']);
      logger.info('snapshot lake copied', { period, ...copied });
      return await snapshot(mirroredContext(ctx, mirrorDir), { period });
    } finally {
      await removeDir(ctx.workDir);
    }
  });
  logger.info('snapshot done', { period, summary });
  return { step: 'snapshot', period, summary };
}
