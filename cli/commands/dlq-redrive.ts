/**
 * `sluice dlq redrive <queue>`: guarded redrive — a canary first, then the rest at a rate
 * limit, stopping by itself when failures stay above the threshold. Progress goes to
 * stderr; the summary (or `--json`) to stdout.
 */
import { textTable } from '../../shared/text-table';
import type { CliContext } from '../lib/context';
import { clip } from '../lib/format';
import { writeJson } from '../lib/io';
import {
  type RedriveReport,
  type RedriveSettings,
  redrive,
  redriveExitCode,
} from '../lib/redrive/redrive';

export interface DlqRedriveOptions extends RedriveSettings {
  readonly json?: boolean;
}

/**
 * @example
 * ```ts
 * process.exitCode = await dlqRedrive(context, 'ingest-dlq', options);
 * ```
 */
export async function dlqRedrive(
  context: CliContext,
  queueName: string,
  options: DlqRedriveOptions,
): Promise<number> {
  const report = await redrive(context, queueName, options);
  if (options.json) writeJson(context.io, report);
  else context.io.stdout(`${renderRedrive(report)}\n`);
  return redriveExitCode(report);
}

/** The summary a person reads after a redrive. Pure. */
export function renderRedrive(report: RedriveReport): string {
  const lines = [
    `${report.queue} → ${report.destination}${report.group ? ` (group ${report.group})` : ''}: ${report.depthAtStart} message(s) at start`,
  ];
  if (report.canary) {
    const v = report.canary.verdict;
    lines.push(
      '',
      `Canary: ${v.processed} processed, ${v.failed} failed, ${v.pending} pending — ${v.go ? 'go' : 'stop'}`,
      textTable(
        ['MESSAGE', 'OUTCOME', 'DETAIL', 'ERROR'],
        report.canary.outcomes.map((o) => [
          o.subject,
          o.outcome,
          o.detail,
          clip(o.error ?? '', 100),
        ]),
      ),
    );
  }
  if (report.bulk) {
    const b = report.bulk;
    lines.push('', `Move task: ${b.status}, ${b.moved} moved, ${b.returned} came back`);
  }
  if (report.groupMove) {
    const g = report.groupMove;
    lines.push(
      '',
      `Group move: ${g.moved} moved, ${g.returned} came back, ${g.sendFailures} not sent (${g.stoppedBy})`,
    );
  }
  lines.push('', `${outcomeLabel(report.outcome)}: ${report.message}`);
  if (report.outcome === 'stopped-by-canary' || report.outcome === 'stopped-by-guard') {
    lines.push(
      `Look at what failed: sluice dlq show ${report.queue}; fix, deploy, then run this again.`,
    );
  }
  return lines.join('\n');
}

function outcomeLabel(outcome: RedriveReport['outcome']): string {
  switch (outcome) {
    case 'completed':
      return 'DONE';
    case 'nothing-to-do':
      return 'NOTHING TO DO';
    case 'aborted':
      return 'INTERRUPTED';
    default:
      return 'STOPPED';
  }
}
