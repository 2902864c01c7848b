#!/usr/bin/env node
/**
 * Completes package-lock.json with the other platforms' optional native packages
 * (@rollup/rollup-<platform>, @duckdb/node-bindings-<platform>, …) when the registry this lock was
 * made against does not serve them: npm then leaves them out of the lock, and `npm ci` refuses the
 * lock as "out of sync". Each added entry carries the version its parent pins plus os/cpu, so npm
 * skips it on other platforms exactly as it does for a lock made against the public registry.
 *
 *   node scripts/complete-lock.mjs [path/to/package-lock.json]   (after `npm install` changed a lock;
 *   default: the root lock; the dashboards keep their own: dashboards/package-lock.json)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const lockPath = path.resolve(process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'package-lock.json'));
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const OS = ['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'openharmony', 'win32', 'sunos', 'aix', 'netbsd'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'loong64', 'ppc64', 'riscv64', 's390x', 'mips64el'];

/** @param {string} name */
function platformOf(name) {
	const parts = name.split('/').pop().split('-');
	const os = parts.find((p) => OS.includes(p));
	const cpu = parts.find((p) => CPU.includes(p)) ?? (parts.includes('arm') ? 'arm' : undefined);
	return os && cpu ? { os, cpu, libc: parts.includes('musl') ? 'musl' : parts.includes('gnu') ? 'glibc' : undefined } : null;
}

let added = 0;
for (const [key, entry] of Object.entries(lock.packages)) {
	for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
		const base = key ? `${key}/node_modules/${dep}` : `node_modules/${dep}`;
		const hoisted = `node_modules/${dep}`;
		if (lock.packages[base] || lock.packages[hoisted]) continue;
		const platform = platformOf(dep);
		if (!platform) continue;
		lock.packages[hoisted] = {
			version,
			optional: true,
			os: [platform.os],
			cpu: [platform.cpu],
			...(platform.libc ? { libc: [platform.libc] } : {})
		};
		added++;
	}
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
fs.writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lock: added ${added} platform entries`);
