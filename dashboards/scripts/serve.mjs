#!/usr/bin/env node
/**
 * Serves a built Evidence site on 127.0.0.1 (static files only, no network needed).
 *
 *   node scripts/serve.mjs [--dir build] [--port 4173] [--base /sub/path]
 *
 * Also importable: `startServer({ dir, port, basePath })` resolves to `{ url, close }`.
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME = {
	'.html': 'text/html; charset=utf-8',
	'.js': 'text/javascript; charset=utf-8',
	'.mjs': 'text/javascript; charset=utf-8',
	'.css': 'text/css; charset=utf-8',
	'.json': 'application/json; charset=utf-8',
	'.svg': 'image/svg+xml',
	'.png': 'image/png',
	'.ico': 'image/x-icon',
	'.wasm': 'application/wasm',
	'.parquet': 'application/octet-stream',
	'.arrow': 'application/vnd.apache.arrow.stream',
	'.txt': 'text/plain; charset=utf-8',
	'.woff2': 'font/woff2'
};

/** @param {string} root @param {string} urlPath */
function resolveFile(root, urlPath) {
	const clean = path.normalize(decodeURIComponent(urlPath)).replace(/^([/\\])+/, '');
	const full = path.join(root, clean);
	if (full !== root && !full.startsWith(root + path.sep)) return null;
	for (const candidate of [full, `${full}.html`, path.join(full, 'index.html')]) {
		try {
			if (fs.statSync(candidate).isFile()) return candidate;
		} catch {
			// try the next candidate
		}
	}
	return null;
}

/**
 * @param {{ dir: string, port?: number, basePath?: string, host?: string }} opts
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 */
export function startServer({ dir, port = 0, basePath = '', host = '127.0.0.1' }) {
	const root = path.resolve(dir);
	if (!fs.existsSync(path.join(root, 'index.html'))) {
		return Promise.reject(new Error(`Failed to serve dashboards: no index.html in ${root} (run the build first)`));
	}
	const base = basePath.replace(/\/+$/, '');
	const server = http.createServer((req, res) => {
		const { pathname } = new URL(req.url ?? '/', 'http://localhost');
		if (base && pathname !== base && !pathname.startsWith(`${base}/`)) {
			res.writeHead(404).end('not found');
			return;
		}
		const file = resolveFile(root, pathname.slice(base.length) || '/');
		if (!file) {
			res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
			return;
		}
		res.writeHead(200, {
			'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
			// SvelteKit's hashed assets (DuckDB-WASM's 34 MB among them) never change under a name:
			// a browser keeps them across visits; pages and data are revalidated every time.
			'cache-control': pathname.includes('/_app/immutable/') ? 'public, max-age=31536000, immutable' : 'no-cache'
		});
		fs.createReadStream(file).pipe(res);
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, () => {
			const address = server.address();
			const actualPort = typeof address === 'object' && address ? address.port : port;
			resolve({
				url: `http://${host}:${actualPort}${base}/`,
				port: actualPort,
				close: () => new Promise((r) => server.close(() => r()))
			});
		});
	});
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
	const args = process.argv.slice(2);
	const opt = (name, fallback) => {
		const i = args.indexOf(`--${name}`);
		return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
	};
	const here = path.dirname(fileURLToPath(import.meta.url));
	const { url } = await startServer({
		dir: opt('dir', process.env.DASHBOARDS_OUT_DIR ?? path.join(here, '..', 'build')),
		port: Number(opt('port', process.env.PORT ?? '4173')),
		basePath: opt('base', process.env.DASHBOARDS_BASE_PATH ?? '')
	});
	console.log(`Dashboards on ${url}`);
}
