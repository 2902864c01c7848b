/** `tsx scripts/ensure.ts dashboards chromium poppler`: the set-up npm test needs (see functions/cli/ensure.ts). */
import { ensureChromium, ensureDashboardDeps, ensurePoppler } from '../functions/cli/ensure.js';

const wanted = new Set(process.argv.slice(2));
try {
  if (wanted.has('dashboards')) ensureDashboardDeps();
  if (wanted.has('chromium')) ensureChromium();
  if (wanted.has('poppler')) ensurePoppler();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
