// Colours for charts that overlay every year on one Jan–Dec axis: the chosen year in strong blue,
// the year before it in mid grey-blue, older years in light grey, so the chosen one stands out.
const STRONG = '#1d4ed8';
const PREVIOUS = '#64748b';
const OLDER = '#cbd5e1';

/** seriesColors for series named by year ("2019" … "2035"), emphasising `selected`. */
export function yearColors(selected) {
	const chosen = Number(selected);
	const out = {};
	for (let y = 2010; y <= 2040; y++) out[String(y)] = y === chosen ? STRONG : y === chosen - 1 ? PREVIOUS : OLDER;
	return out;
}
