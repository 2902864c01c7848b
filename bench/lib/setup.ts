/**
 * What the dashboards section needs, set up before anything is measured, as `npm start` and `npm test`
 * do for themselves (functions/cli/ensure.ts): the dashboards' own node_modules and Debian's chromium.
 * Only for the project's own dashboards/ and the default Chromium path: a --dashboards-dir or --chromium
 * given on the command line is used as it is. What cannot be set up is returned, and the section then
 * says why it was not measured.
 */
import { CHROMIUM_CANDIDATES, ensureChromium, ensureDashboardDeps } from '../../functions/cli/ensure.js';

export interface DashboardSetup {
  /** The Chromium the section launches. */
  chromium: string;
  /** What could not be set up (each message says what to run). */
  problems: string[];
}

export function setUpDashboards(
  o: { ownProject: boolean; chromium: string },
  log: (m: string) => void,
  ensure: { deps: (log: (m: string) => void) => void; chromium: (log: (m: string) => void) => string } = { deps: ensureDashboardDeps, chromium: ensureChromium },
): DashboardSetup {
  const problems: string[] = [];
  let chromium = o.chromium;
  if (o.ownProject) {
    try {
      ensure.deps(log);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  if (CHROMIUM_CANDIDATES.includes(o.chromium)) {
    try {
      chromium = ensure.chromium(log);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  for (const p of problems) log(`  ! ${p}`);
  return { chromium, problems };
}
