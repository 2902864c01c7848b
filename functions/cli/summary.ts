/** The one-screen summary at the end of `npm start` / `run`. */
import type { RunSummary } from '../core/pipeline.js';
import { describeMissingSources } from '../core/transform/missing.js';

const n = (x: number): string => x.toLocaleString('vi-VN');

export function printSummary(s: RunSummary): void {
  const lines: string[] = [];
  lines.push('', '── Tóm tắt / Summary ─────────────────────────────────────────────');
  lines.push(`Lake            ${s.lakeRoot}`);
  lines.push(`Pulled          ${n(s.staged.staged)} new raw files (${(s.staged.bytes / 1e6).toFixed(1)} MB), ${n(s.staged.alreadyLanded)} already landed`);
  if (s.staged.alreadyRejected > 0) lines.push(`                ${n(s.staged.alreadyRejected)} files not staged again: rejected earlier or discarded`);
  for (const f of s.staged.skipped) lines.push(`Skipped         ${f.file}: ${f.reason}`);
  lines.push(`Landed          ${n(s.landed.files.length)} files: ${n(s.landed.rowsRead)} rows read = ${n(s.landed.rowsLanded)} landed + ${n(s.landed.rowsQuarantined)} quarantined`);
  for (const r of s.landed.rejected) {
    lines.push(`REJECTED        ${r.original_name} (${r.sha256.slice(0, 12)}): ${r.error.replace(/^\[pipeline\] \[\w+\] /, '').split('\n')[0]}`);
  }
  if (s.landed.rejected.length > 0) lines.push('                kept in raw/; see `npm run cli -- rejected`, then `retry <file>` or `discard <file>`; no snapshot was published');
  if (s.quarantineByReason.length > 0) {
    lines.push('Quarantine      (all runs, top reasons)');
    for (const q of s.quarantineByReason.slice(0, 5)) lines.push(`                ${n(q.rows).padStart(8)}  ${q.dataset}: ${q.reason}`);
  }
  const marts = s.transformed.models.filter((m) => m.location.includes('/marts/'));
  lines.push(`Transformed     ${s.transformed.models.length} models (${marts.length} marts) in ${s.transformed.seconds.toFixed(1)} s; ${s.transformed.testsPassed} tests passed${s.transformed.testsWarned ? `, ${s.transformed.testsWarned} warnings` : ''}`);
  const missing = describeMissingSources(s.transformed.missingSources ?? []);
  if (missing.length > 0) {
    lines.push('Missing sources (warning: the run went on; their pages show no data)');
    for (const m of missing) lines.push(`                ${m}`);
  }
  lines.push(`Marts           ${marts.length ? marts[0]!.location.replace(/[^/]+$/, '') : '(none)'}`);
  lines.push(`Verified        ${n(s.verified.dossiers)} dossiers, no id twice; accounting holds for ${n(s.verified.filesChecked)} files; ${s.verified.snapshots} snapshots match their manifests`);
  if (s.snapshots.length > 0) {
    const made = s.snapshots.filter((x) => x.published).map((x) => x.period);
    const kept = s.snapshots.filter((x) => !x.published).map((x) => x.period);
    lines.push(`Snapshots       ${made.length ? `published ${made.join(', ')}` : ''}${made.length && kept.length ? '; ' : ''}${kept.length ? `unchanged ${kept.join(', ')}` : ''}`);
  }
  if (s.report) lines.push(`Report pack     ${s.report.dir}/ (${s.report.files.join(', ')})`);
  if (s.dashboards) {
    const parts = s.dashboards.sourcesSeconds !== undefined && s.dashboards.buildSeconds !== undefined
      ? ` (evidence sources ${s.dashboards.sourcesSeconds.toFixed(0)} s + evidence build ${s.dashboards.buildSeconds.toFixed(0)} s)`
      : '';
    lines.push(`Dashboards      ${s.dashboards.pages} pages built in ${s.dashboards.seconds.toFixed(0)} s${parts} into ${s.dashboards.outDir}`);
    lines.push(`                open them with: ${s.dashboards.preview}`);
  }
  // s.seconds is runAll's own time; generating the demo and building the dashboards come on top.
  lines.push(`Pipeline time   ${s.seconds.toFixed(1)} s: pull → land → transform → snapshot → verify${s.dashboards ? ' (the dashboards build above not included)' : ''}`, '');
  process.stdout.write(`${lines.join('\n')}\n`);
}
