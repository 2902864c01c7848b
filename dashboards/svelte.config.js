// Merged by Evidence into its SvelteKit config (.evidence/template/svelte.config.js).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// Written by functions/dashboards/build.ts: '*' plus one route per agency page, so every
// templated page is prerendered even when the crawler finds no link to it (with a base path,
// Evidence 40.1.8 prerenders pages as empty shells that carry no links).
const entriesFile = path.join(path.dirname(fileURLToPath(import.meta.url)), '.lake', 'prerender-entries.json');
const entries = fs.existsSync(entriesFile) ? JSON.parse(fs.readFileSync(entriesFile, 'utf8')) : ['*'];

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
