/**
 * The bench sets up what its dashboards section needs before it measures anything (bench/lib/setup.ts):
 * the project's own dashboards' node_modules and Debian's chromium, as npm start and npm test do; what
 * it cannot set up is said, and what the command line names is used as it is.
 */
import { describe, expect, test } from 'vitest';
import { setUpDashboards } from '../../bench/lib/setup.js';

function fakes(o: { depsFail?: string; chromiumFail?: string; chromiumAt?: string } = {}) {
  const calls: string[] = [];
  return {
    calls,
    ensure: {
      deps: () => {
        calls.push('deps');
        if (o.depsFail) throw new Error(o.depsFail);
      },
      chromium: () => {
        calls.push('chromium');
        if (o.chromiumFail) throw new Error(o.chromiumFail);
        return o.chromiumAt ?? '/usr/bin/chromium';
      },
    },
  };
}

describe('the bench setting up its dashboards section', () => {
  test("should install the project's dashboards' dependencies and find or install Chromium at the default path", () => {
    const f = fakes({ chromiumAt: '/usr/bin/chromium-browser' });
    const logs: string[] = [];
    const r = setUpDashboards({ ownProject: true, chromium: '/usr/bin/chromium' }, (m) => logs.push(m), f.ensure);
    expect(f.calls).toEqual(['deps', 'chromium']);
    expect(r).toEqual({ chromium: '/usr/bin/chromium-browser', problems: [] });
    expect(logs).toEqual([]);
  });

  test('should leave another Evidence project and a Chromium named on the command line as they are', () => {
    const f = fakes();
    const r = setUpDashboards({ ownProject: false, chromium: '/opt/chrome/chrome' }, () => undefined, f.ensure);
    expect(f.calls).toEqual([]);
    expect(r).toEqual({ chromium: '/opt/chrome/chrome', problems: [] });
  });

  test('should set up each of the two apart: the dependencies of its own project, the Chromium of the default path', () => {
    const own = fakes();
    expect(setUpDashboards({ ownProject: true, chromium: '/opt/chrome/chrome' }, () => undefined, own.ensure)).toEqual({ chromium: '/opt/chrome/chrome', problems: [] });
    expect(own.calls).toEqual(['deps']);
    const other = fakes({ chromiumAt: '/usr/bin/chromium-browser' });
    expect(setUpDashboards({ ownProject: false, chromium: '/usr/bin/chromium' }, () => undefined, other.ensure)).toEqual({ chromium: '/usr/bin/chromium-browser', problems: [] });
    expect(other.calls).toEqual(['chromium']);
  });

  test('should say what it could not set up, and go on', () => {
    const f = fakes({ depsFail: 'npm ci failed in dashboards/', chromiumFail: 'install chromium with apt-get' });
    const logs: string[] = [];
    const r = setUpDashboards({ ownProject: true, chromium: '/usr/bin/chromium' }, (m) => logs.push(m), f.ensure);
    expect(f.calls).toEqual(['deps', 'chromium']);
    expect(r.problems).toEqual(['npm ci failed in dashboards/', 'install chromium with apt-get']);
    expect(r.chromium).toBe('/usr/bin/chromium');
    expect(logs).toEqual(['  ! npm ci failed in dashboards/', '  ! install chromium with apt-get']);
  });
});
