/** What Athena's partition projection reads (infra/lib/query): a row under any other partition counts on DuckDB only. */
import { projectionYearRange } from '../../infra/lib/query/lake-query.js';

/** The keys of `keys` (quarantine/…/year=…/month=…/data.parquet) under a year or month the projection does not read. */
export function unprojectedQuarantineKeys(keys: readonly string[]): string[] {
  const [first, last] = projectionYearRange();
  return keys.filter((k) => {
    const m = /\/year=(\d+)\/month=(\d+)\/data\.parquet$/.exec(k);
    return !m || Number(m[1]) < first || Number(m[1]) > last || Number(m[2]) < 1 || Number(m[2]) > 12;
  });
}
