/**
 * `sluice dlq show <queue>`: what failed and why — the DLQ's messages grouped by failure
 * fingerprint, with counts, first and last failure and a sample. Messages are read and
 * made visible again; nothing is consumed.
 */
import { count, textTable } from '../../shared/text-table';
import type { CliContext } from '../lib/context';
import { scanQueue } from '../lib/dlq-scan';
import { type FailureGroup, groupFailures } from '../lib/failure-groups';
import { clip, time } from '../lib/format';
import { EXIT, writeJson } from '../lib/io';
import { findDeadLetterQueue } from '../lib/queues';

export interface DlqShowOptions {
  readonly json?: boolean;
  /** Stop reading after this many messages. */
  readonly max: number;
  /** How long read messages stay hidden should this command die before releasing them. */
  readonly visibilityTimeout: number;
}

export interface DlqShowReport {
  readonly queue: string;
  readonly name: string;
  readonly redrivesTo: string;
  /** Messages read. */
  readonly read: number;
  /** False when `max` stopped the read: counts cover only what was read. */
  readonly complete: boolean;
  readonly groups: FailureGroup[];
}

/**
 * @example
 * ```ts
 * process.exitCode = await dlqShow(context, 'ingest-dlq', { max: 1000, visibilityTimeout: 60 });
 * ```
 */
export async function dlqShow(
  context: CliContext,
  queueName: string,
  options: DlqShowOptions,
): Promise<number> {
  const dlq = findDeadLetterQueue(queueName, context.stage);
  const url = await context.queues.url(dlq.logical);
  const scan = await scanQueue(context.sqs, url, {
    max: options.max,
    visibilityTimeoutSeconds: options.visibilityTimeout,
    ...(context.io.signal ? { signal: context.io.signal } : {}),
  });
  let report: DlqShowReport;
  try {
    report = {
      queue: dlq.logical,
      name: context.name(dlq.logical),
      redrivesTo: dlq.redriveTo,
      read: scan.entries.length,
      complete: scan.complete,
      groups: groupFailures(scan.entries),
    };
  } finally {
    await scan.release();
  }
  if (options.json) writeJson(context.io, report);
  else context.io.stdout(`${renderDlqShow(report)}\n`);
  return EXIT.ok;
}

/** Short code versions: a git SHA's first 12 characters tell commits apart. */
function shortVersion(version: string): string {
  return /^[0-9a-f]{13,}$/.test(version) ? version.slice(0, 12) : version;
}

/** The groups table, samples and next steps. Pure. */
export function renderDlqShow(report: DlqShowReport): string {
  const heading = `${report.queue} (${report.name}): ${count(report.read)} message${report.read === 1 ? '' : 's'} read${
    report.complete ? '' : ' (stopped at --max: counts cover only these)'
  }, ${report.groups.length} failure group${report.groups.length === 1 ? '' : 's'}`;
  if (report.groups.length === 0) return `${heading}\nNothing to redrive.`;
  const table = textTable(
    ['GROUP', 'COUNT', 'FIRST FAILED', 'LAST FAILED', 'ERROR', 'WHERE', 'CODE', 'TYPES'],
    report.groups.map((g) => [
      g.fingerprint.id,
      count(g.count),
      time(g.firstSeen),
      time(g.lastSeen),
      g.fingerprint.errorClass,
      g.fingerprint.where,
      shortVersion(g.fingerprint.codeVersion),
      g.eventTypes.join(',') || '-',
    ]),
    ['left', 'right'],
  );
  const samples = textTable(
    ['GROUP', 'SAMPLE', 'REASON', 'MESSAGE'],
    report.groups.map((g) => [
      g.fingerprint.id,
      g.sample.subject,
      g.sample.reason ?? '-',
      clip(
        `${g.sample.message}${g.distinctMessages > 1 ? ` (+${g.distinctMessages - 1} other messages)` : ''}`,
        120,
      ),
    ]),
  );
  const first = report.groups[0] as FailureGroup;
  const next = [
    'Next:',
    `  redrive everything (guarded): sluice dlq redrive ${report.queue}`,
    `  redrive one group:            sluice dlq redrive ${report.queue} --group ${first.fingerprint.id}`,
    `  (redrives go to ${report.redrivesTo})`,
  ];
  return [heading, '', table, '', samples, '', ...next].join('\n');
}
