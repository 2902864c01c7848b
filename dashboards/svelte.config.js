// Merged by Evidence into its SvelteKit config (.evidence/template/svelte.config.js).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Written by functions/dashboards/build.ts: '*' plus one route per agency page, so every
// templated page is prerendered even when the crawler finds no link to it (with a base path,
// Evidence 40.1.8 prerenders pages as empty shells that carry no links).
const entriesFile = path.join(path.dirname(fileURLToPath(import.meta.url)), '.lake', 'prerender-entries.json');
const entries = fs.existsSync(entriesFile) ? JSON.parse(fs.readFileSync(entriesFile, 'utf8')) : ['*'];

// Every page is Vietnamese, but Evidence 40.1.8's app.html says <html lang="en">, and Evidence lets a project neither
// replace that file nor set kit.files.appTemplate. Evidence copies its template afresh to .evidence/template before
// each build or dev run, then starts SvelteKit, which loads this file before it reads app.html: set the language in
// that copy (never in node_modules). Idempotent.
const appHtml = path.join(path.dirname(fileURLToPath(import.meta.url)), '.evidence', 'template', 'src', 'app.html');
if (fs.existsSync(appHtml)) {
	const html = fs.readFileSync(appHtml, 'utf8');
	if (html.includes('<html lang="en">')) fs.writeFileSync(appHtml, html.replace('<html lang="en">', '<html lang="vi">'));
}

export default {
	kit: {
		prerender: {
			entries,
			// With a base path, Evidence 40.1.8 prerenders its built-in SQL console (/explore/…) with a
			// doubled slash in the metadata URL ("<base>/api//explore/…") and gets a 500. That page is
			// a developer tool, not a dashboard: ignore prerender errors under /explore/ only.
			handleHttpError: ({ path: p, referrer, message }) => {
				if (`${p} ${referrer ?? ''}`.includes('/explore/')) return;
				throw new Error(message);
			}
		}
	}
};
