/**
 * The chaos report as a person reads it: one row per scenario, then the effects that were
 * lost or doubled, and where the functions' logs of a failed scenario are.
 */
import { textTable } from '../../shared/text-table';
import type { ChaosReport } from './run-chaos';

/**
 * @example
 * ```ts
 * process.stderr.write(formatChaosReport(await runChaos()));
 * ```
 */
export function formatChaosReport(report: ChaosReport): string {
  const rows = report.results.map((r) => [
    r.scenario,
    r.passed ? 'passed' : 'FAILED',
    r.recoverySeconds === undefined ? '-' : r.recoverySeconds.toFixed(1),
    String(r.lost),
    String(r.duplicated),
    r.description,
  ]);
  const table = textTable(['SCENARIO', 'RESULT', 'RECOVERY S', 'LOST', 'DOUBLED', 'FAULT'], rows, [
    'left',
    'left',
    'right',
    'right',
    'right',
    'left',
  ]);
  const details = report.results
    .filter((r) => !r.passed)
    .flatMap((r) => [
      `${r.scenario}${r.error ? `: ${r.error}` : ''}`,
      ...r.checks
        .filter((c) => c.lost > 0 || c.duplicated > 0)
        .map((c) => `  ${c.effect}: ${c.lost} lost, ${c.duplicated} doubled of ${c.expected}`),
      ...r.logs.map((log) => `  logs: ${log}`),
    ]);
  const { passed, scenarios } = report.summary;
  return [table, '', `${passed} of ${scenarios} scenarios passed`, ...details].join('\n');
}
