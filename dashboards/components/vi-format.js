/**
 * vi-VN number and date text for the dashboards, whatever the viewer's browser locale.
 *
 * Evidence has no locale setting: explicit format codes go through SheetJS ssf (English separators)
 * and unformatted values through `toLocaleString()` with the browser's locale. `installViLocale`
 * (called by pages/+layout.svelte, in the browser and at prerender) therefore
 *   1. wraps ssf.format so its number output uses the vi-VN separators ("1,492.5" → "1.492,5",
 *      "33.33%" → "33,33%") and its default ISO date code gives dd/mm/yyyy;
 *   2. makes vi-VN the default locale of Number/Date `toLocale*String` when no locale is passed.
 * Both are idempotent. `viNumberText` and `viDateCode` are pure and unit-tested.
 */

/**
 * The format code of a change of a rate, given in percentage points (the pages multiply the difference
 * of two 0–1 rates by 100): "2,15 điểm %", not "2,15 %", which would read as a relative change.
 */
export const POINTS = '#,##0.00" điểm %"';

/**
 * Rewrite an ssf-formatted number ("1,492", "-83.45", "33.33%", "1.49k", "(12.5)") with vi-VN
 * separators: thousands '.', decimal ',', and '%' right after the number, as vi-VN writes it (CLDR's
 * vi pattern, `Intl.NumberFormat('vi-VN', { style: 'percent' })`, and the published reports: "83,45%"),
 * the same as the monthly report (functions/core/vi/numbers.ts).
 * @param {string} text
 * @returns {string}
 */
export function viNumberText(text) {
	if (typeof text !== 'string') return text;
	return text
		.replace(/[0-9][0-9,.]*/g, (run) => run.replace(/[,.]/g, (c) => (c === ',' ? '.' : ',')))
		.replace(/([0-9])\s?%/g, '$1%');
}

/**
 * The vi-VN spelling of a date format code: Evidence's default ISO code becomes dd/mm/yyyy.
 * @param {string} code
 * @returns {string}
 */
export function viDateCode(code) {
	return typeof code === 'string' && code.trim().toLowerCase() === 'yyyy-mm-dd' ? 'dd/mm/yyyy' : code;
}

const INSTALLED = Symbol.for('cchc.viLocaleInstalled');

/**
 * @param {{ format: (code: unknown, value: unknown, opts?: unknown) => string }} ssf the ssf module object Evidence uses
 */
export function installViLocale(ssf) {
	if (!ssf[INSTALLED]) {
		const format = ssf.format;
		ssf.format = function viFormat(code, value, opts) {
			if (value instanceof Date) return format.call(this, viDateCode(code), value, opts);
			const out = format.call(this, code, value, opts);
			return typeof value === 'number' ? viNumberText(out) : out;
		};
		ssf[INSTALLED] = true;
	}
	if (!globalThis[INSTALLED]) {
		for (const [proto, names] of [
			[Number.prototype, ['toLocaleString']],
			[Date.prototype, ['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString']]
		]) {
			for (const name of names) {
				const original = proto[name];
				proto[name] = function (locales, options) {
					return original.call(this, locales ?? 'vi-VN', options);
				};
			}
		}
		globalThis[INSTALLED] = true;
	}
}
