/**
 * Connector for the current 766 service-results API, pulled by a plan rather than a month range: the
 * national answer of a year, then each planned province's units at its capture dates and, at its
 * detail captures, every unit's detail (the plan is config `real766`, functions/core/config.ts). The
 * calls themselves are the 766 connector's (score766.ts); this module only walks the plan.
 */
import { z } from 'zod';
import { Real766Plan } from '../config.js';
import { createError } from '../errors.js';
import type { Connector, PayloadSink, PlanRequest, PullSummary } from './_types.js';
import { createScore766Connector, type Score766Options } from './score766.js';

export const CONNECTOR_NAME = 'real766';

/**
 * Options of the real 766 connector.
 * @property baseUrl Portal root, e.g. `http://127.0.0.1:8787`.
 * @property plan    What to pull (config real766).
 * Other options (token, paths, timeouts, retries) as for the 766 connector.
 */
export type Real766Options = Omit<Score766Options, 'api' | 'tinhId' | 'departmentId'> & { plan: Real766Plan };

export function createReal766Connector(options: Real766Options): Connector<PlanRequest> {
  const { plan: input, ...rest } = options;
  const parsed = Real766Plan.safeParse(input);
  if (!parsed.success) throw createError(CONNECTOR_NAME, `Failed to create the real 766 connector: invalid plan: ${z.prettifyError(parsed.error)}`);
  const plan = parsed.data;
  const api = createScore766Connector({ ...rest, api: 'service-results' });
  return {
    name: CONNECTOR_NAME,
    source: 'dvcqg',
    async pull(request: PlanRequest, sink: PayloadSink): Promise<PullSummary> {
      const period = String(plan.year);
      const summary: PullSummary = { payloads: 0, rows: 0, unchanged: 0, periods: [period] };
      const hand = async (kind: 'score766-results' | 'score766-detail', fetched: { bytes: Buffer; sha256: string }, rows: number | null, originalName: string, asOf: string) => {
        const dataset = kind === 'score766-results' ? 'score766' : 'score766_metrics';
        await sink({ kind, source: 'dvcqg', dataset, period, originalName, ext: 'json', bytes: fetched.bytes, sha256: fetched.sha256, rows, asOf });
        summary.payloads++;
        summary.rows += rows ?? 0;
      };
      const base = { timeType: 'year' as const, year: plan.year, departmentType: 'ADMINISTRATIVE_UNIT' };
      const national = await api.fetchServiceResults(base, request.signal);
      await hand('score766-results', national, national.data.data.evaluation.length, `service-results?year=${plan.year}`, plan.nationalAsOf);
      for (const p of plan.provinces) {
        for (const asOf of p.captures) {
          const units = await api.fetchServiceResults({ ...base, departmentId: p.departmentId, asOf } as Parameters<typeof api.fetchServiceResults>[0], request.signal);
          await hand('score766-results', units, units.data.data.evaluation.length, `service-results?year=${plan.year}&departmentId=${p.departmentId}&asOf=${asOf}`, asOf);
          if (!p.detailCaptures.includes(asOf)) continue;
          for (const u of units.data.data.evaluation) {
            const detail = await api.fetchDepartmentDetail({ ...base, departmentId: String(u.departmentId), asOf } as Parameters<typeof api.fetchDepartmentDetail>[0], request.signal);
            await hand('score766-detail', detail, null, `department-detail?year=${plan.year}&departmentId=${u.departmentId}&asOf=${asOf}`, asOf);
          }
        }
      }
      return summary;
    },
  };
}
