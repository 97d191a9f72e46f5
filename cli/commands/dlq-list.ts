/**
 * `sluice dlq list`: every dead-letter queue of the stage with its depth, the age of its
 * oldest message and the time left before retention deletes it, where it redrives to, and
 * any move task in progress.
 */
import { count, textTable } from '../../shared/text-table';
import type { CliContext } from '../lib/context';
import { duration } from '../lib/format';
import { EXIT, writeJson } from '../lib/io';
import { latestMoveTask, type MoveTask } from '../lib/move-tasks';
import { cloudWatchOldestAges, sampledOldestAge } from '../lib/oldest-age';
import { deadLetterQueues, type QueueDepth } from '../lib/queues';

/** Less time than this before retention drops the oldest message is flagged. */
export const EXPIRY_WARNING_SECONDS = 2 * 86_400;

export type AgeSource = 'cloudwatch' | 'sampled';

export interface DlqListOptions {
  readonly json?: boolean;
  /** Where the age of the oldest message comes from; default: sampled locally, else CloudWatch. */
  readonly ageFrom?: AgeSource;
  /** Messages per queue read when sampling. */
  readonly sample: number;
}

export interface DlqRow {
  readonly queue: string;
  readonly name: string;
  readonly exists: boolean;
  readonly redrivesTo: string;
  readonly depth?: QueueDepth;
  readonly oldestAgeSeconds?: number;
  /** Messages sampled for the age (sampled mode only). */
  readonly sampled?: number;
  /** Absent when the queue does not report it (ElasticMQ). */
  readonly retentionSeconds?: number;
  /** Retention minus the oldest message's age: when the oldest message will be deleted. */
  readonly secondsLeft?: number;
  readonly moveTask?: MoveTask;
}

export interface DlqListReport {
  readonly stage: string;
  readonly ageSource: AgeSource;
  readonly queues: DlqRow[];
  /** Look-ups that failed (missing permissions, no CloudWatch), shown under the table. */
  readonly problems: string[];
}

/**
 * @example
 * ```ts
 * process.exitCode = await dlqList(context, { sample: 100 });
 * ```
 */
export async function dlqList(context: CliContext, options: DlqListOptions): Promise<number> {
  const report = await dlqListReport(context, options);
  if (options.json) writeJson(context.io, report);
  else context.io.stdout(`${renderDlqList(report)}\n`);
  return report.queues.some((r) => r.exists) ? EXIT.ok : EXIT.error;
}

export async function dlqListReport(
  context: CliContext,
  options: DlqListOptions,
): Promise<DlqListReport> {
  const ageSource: AgeSource = options.ageFrom ?? (context.local ? 'sampled' : 'cloudwatch');
  const now = new Date();
  const queues = deadLetterQueues();
  const names = queues.map((q) => context.name(q.logical));
  // A secondary column must not hide the depths: a failing look-up becomes a note.
  const problems: string[] = [];
  const cloudWatchAges =
    ageSource === 'cloudwatch'
      ? await cloudWatchOldestAges(context.cloudwatch, names, now).catch((error: unknown) => {
          problems.push(`CloudWatch ages unavailable: ${describe(error)}`);
          return new Map<string, number>();
        })
      : new Map<string, number>();
  const rows = await Promise.all(
    queues.map(async (q, i): Promise<DlqRow> => {
      const name = names[i] as string;
      const base = { queue: q.logical, name, redrivesTo: q.redriveTo };
      const url = await context.queues.urlIfExists(q.logical);
      if (!url) return { ...base, exists: false };
      const [depth, attributes, moveTask] = await Promise.all([
        context.queues.depth(url),
        context.queues.attributes(url, ['MessageRetentionPeriod']),
        context.queues
          .arn(url)
          .then((arn) => latestMoveTask(context.sqs, arn))
          .catch((error: unknown) => {
            problems.push(`${q.logical}: move tasks unavailable: ${describe(error)}`);
            return undefined;
          }),
      ]);
      // ElasticMQ does not report retention (nor enforce it): then it is unknown, not guessed.
      const reported = attributes.MessageRetentionPeriod;
      const retentionSeconds = reported === undefined ? undefined : Number(reported);
      let oldestAgeSeconds: number | undefined;
      let sampled: number | undefined;
      if (ageSource === 'cloudwatch') {
        oldestAgeSeconds = depth.total > 0 ? cloudWatchAges.get(name) : undefined;
      } else if (depth.total > 0) {
        const sample = await sampledOldestAge(context.sqs, url, options.sample, now);
        oldestAgeSeconds = sample.ageSeconds;
        sampled = sample.sampled;
      }
      return {
        ...base,
        exists: true,
        depth,
        ...(oldestAgeSeconds !== undefined ? { oldestAgeSeconds } : {}),
        ...(oldestAgeSeconds !== undefined && retentionSeconds !== undefined
          ? { secondsLeft: Math.max(0, retentionSeconds - oldestAgeSeconds) }
          : {}),
        ...(sampled !== undefined ? { sampled } : {}),
        ...(retentionSeconds !== undefined ? { retentionSeconds } : {}),
        ...(moveTask ? { moveTask } : {}),
      };
    }),
  );
  return { stage: context.stage, ageSource, queues: rows, problems };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The table and the notes under it. Pure. */
export function renderDlqList(report: DlqListReport): string {
  const rows = report.queues.map((row) => {
    if (!row.exists) return [row.queue, 'missing', '', '', '', '', row.redrivesTo, ''];
    const task = row.moveTask;
    return [
      row.queue,
      count(row.depth?.total ?? 0),
      count(row.depth?.inFlight ?? 0),
      row.oldestAgeSeconds === undefined ? '-' : duration(row.oldestAgeSeconds),
      row.retentionSeconds === undefined ? '?' : duration(row.retentionSeconds),
      row.secondsLeft === undefined
        ? row.retentionSeconds === undefined && row.oldestAgeSeconds !== undefined
          ? '?'
          : '-'
        : `${duration(row.secondsLeft)}${row.secondsLeft < EXPIRY_WARNING_SECONDS ? ' !' : ''}`,
      row.redrivesTo,
      task?.status === 'RUNNING' ? `moving ${task.moved}/${task.toMove}` : '-',
    ];
  });
  const table = textTable(
    ['DLQ', 'DEPTH', 'IN FLIGHT', 'OLDEST', 'RETENTION', 'LEFT', 'REDRIVES TO', 'MOVE TASK'],
    rows,
    ['left', 'right', 'right', 'right', 'right', 'right', 'left', 'left'],
  );
  const notes = [
    report.ageSource === 'cloudwatch'
      ? 'OLDEST: CloudWatch ApproximateAgeOfOldestMessage (latest datapoint of the last 15 min).'
      : 'OLDEST: sampled from the messages themselves (SentTimestamp; no CloudWatch here) — an estimate when a queue holds more than the sample.',
  ];
  for (const problem of report.problems) notes.push(`! ${problem}`);
  if (report.queues.some((r) => r.exists && r.retentionSeconds === undefined)) {
    notes.push(
      'RETENTION ?: this SQS does not report MessageRetentionPeriod (ElasticMQ), so LEFT is unknown.',
    );
  }
  const total = report.queues.reduce((sum, r) => sum + (r.depth?.total ?? 0), 0);
  const existing = report.queues.filter((r) => r.exists).length;
  if (existing === 0) {
    notes.push(`No DLQ of stage ${report.stage} exists: wrong --stage, or --local missing/extra?`);
    return `${table}\n\n${notes.join('\n')}`;
  }
  notes.push(
    total === 0
      ? `Stage ${report.stage}: every DLQ is empty.`
      : `Stage ${report.stage}: ${count(total)} dead letters. Look closer: sluice dlq show <dlq>`,
  );
  for (const row of report.queues) {
    if (row.secondsLeft !== undefined && row.secondsLeft < EXPIRY_WARNING_SECONDS) {
      notes.push(
        `! ${row.queue}: its oldest message is deleted by retention in ${duration(row.secondsLeft)} — redrive or archive it first.`,
      );
    }
    if (!row.exists) notes.push(`! ${row.queue}: queue ${row.name} does not exist.`);
  }
  return `${table}\n\n${notes.join('\n')}`;
}
