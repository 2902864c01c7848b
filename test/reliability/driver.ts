/**
 * A pipeline run in its own process, for the crash and concurrency tests: ingest a drop directory,
 * land, transform, snapshot and verify one lake. Progress events go to stdout synchronously
 * ("P <step> <done> <total>") so a parent can SIGKILL it at a chosen point; "DONE <json>" at the end.
 *
 * With FIXED_CLOCK set, Date reports that instant (pull/landing times in manifests), so two runs of
 * the same input write byte-identical lakes and can be compared.
 *
 * usage: tsx test/reliability/driver.ts <dropDir> <lakeDir> <workDir> [snapshot YYYY-MM]
 */
import { writeSync } from 'node:fs';
import { localContext } from '../../functions/core/local-context.js';
import { runAll, type PipelineContext } from '../../functions/core/pipeline.js';

const fixed = process.env.FIXED_CLOCK;
if (fixed) {
  const at = Date.parse(fixed);
  const RealDate = Date;
  class FixedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(at);
      else super(...(args as [string]));
    }
    static override now(): number {
      return at;
    }
  }
  globalThis.Date = FixedDate as DateConstructor;
}

const [dropDir, lakeDir, workDir, period] = process.argv.slice(2);
if (!dropDir || !lakeDir || !workDir) {
  writeSync(2, 'usage: driver.ts <dropDir> <lakeDir> <workDir> [period]\n');
  process.exit(2);
}
const ctx: PipelineContext = localContext({
  lakeDir,
  workDir,
  log: (msg) => writeSync(1, `L ${msg}\n`),
  onProgress: (step, done, total) => writeSync(1, `P ${step} ${done} ${total}\n`),
});
try {
  const s = await runAll(ctx, { drop: { dir: dropDir }, snapshots: period ? [period] : [] });
  writeSync(1, `DONE ${JSON.stringify({ landed: s.landed.files.length, rowsRead: s.landed.rowsRead, snapshots: s.snapshots })}\n`);
} catch (err) {
  writeSync(2, `${(err as Error).message}\n`);
  process.exit(1);
}
