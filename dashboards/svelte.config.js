// Merged by Evidence into its SvelteKit config (.evidence/template/svelte.config.js).
// With a base path, Evidence 40.1.8 prerenders its built-in SQL console (/explore/console/) with a
// doubled slash in the metadata URL ("<base>/api//explore/…") and the build fails with a 500.
// That page is a developer tool, not a dashboard: ignore prerender errors under /explore/ only.
export default {
	kit: {
		prerender: {
			handleHttpError: ({ path, referrer, message }) => {
				if (`${path} ${referrer ?? ''}`.includes('/explore/')) return;
				throw new Error(message);
			}
		}
	}
};
