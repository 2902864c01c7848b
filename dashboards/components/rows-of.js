// Rows of a page query for one key, filtered in the page instead of by a new engine query.
// `query.where(...)` builds another SQL query, which needs the in-browser engine (DuckDB-WASM): a
// page drawing one small chart per unit that way waits for the engine before any of them shows.
// When the query's rows are already there (prerendered or computed), filtering them in JavaScript
// draws every chart at once; otherwise (never loaded yet) it falls back to the engine query.

/**
 * @param {any} query an Evidence query result (QueryValue)
 * @param {string} column
 * @param {string | number} value
 */
export function rowsOf(query, column, value) {
	if (query?.dataLoaded) return Array.from(query).filter((r) => r[column] === value);
	return query.where(`${column} = '${String(value).replaceAll("'", "''")}'`);
}
