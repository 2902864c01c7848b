/**
 * Start the loopback portal by hand:
 *
 *   PORTAL_TOKEN=dev-token npx tsx functions/portal/main.ts --data data/demo --real functions/portal/fixtures/dvcqg-766 --port 8787
 *
 * Options (or env): --data (PORTAL_DATA_DIR, default data/demo), --real (PORTAL_REAL_DIR), --port
 * (PORTAL_PORT, default 8787; 0 = ephemeral), --token (PORTAL_TOKEN; prefer the env so the token
 * stays out of the process list), --fault-header (allow X-Fault). Prints the URL; Ctrl-C stops it.
 */
import { parseArgs } from 'node:util';
import { startPortal } from './server.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    real: { type: 'string' },
    port: { type: 'string' },
    token: { type: 'string' },
    'fault-header': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const token = values.token ?? process.env.PORTAL_TOKEN;
if (!token) {
  console.error('[pipeline] [portal] Failed to start the portal: set PORTAL_TOKEN (or --token)');
  process.exit(2);
}
const portText = values.port ?? process.env.PORTAL_PORT ?? '8787';
if (!/^\d+$/.test(portText) || Number(portText) > 65535) {
  console.error(`[pipeline] [portal] Failed to start the portal: port "${portText}" is not a port number`);
  process.exit(2);
}

const portal = await startPortal({
  dataDir: values.data ?? process.env.PORTAL_DATA_DIR ?? 'data/demo',
  realDir: values.real ?? process.env.PORTAL_REAL_DIR,
  token,
  port: Number(portText),
  allowFaultHeader: values['fault-header'],
  log: values.verbose ? (line) => console.error(line) : undefined,
});
console.log(portal.url);

const stop = (): void => {
  portal.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
