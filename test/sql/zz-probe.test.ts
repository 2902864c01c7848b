import { test } from 'vitest';
import { readFileSync } from 'node:fs';
import { TrinoSQL } from 'dt-sql-parser';
test('x', () => {
  const p = new TrinoSQL();
  for (const f of ['sql/marts/agency_periods.sql','sql/intermediate/int_dossiers_attributed.sql']) console.log(f, p.validate(readFileSync(f,'utf8')).slice(0,3));
  console.log(p.validate('select a::int from t').length);
});
