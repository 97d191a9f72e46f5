/**
 * `sluice job show <job id>` and `sluice jobs [--type T] [--state S]`: the job records the
 * job runtime writes (state, attempts, last error, failure history), by id or by type and
 * state (the `jobTypeState` index, newest first).
 */
import { type JobRecord, JobRecords, type JobState } from '../../functions/jobs/stores/job-records';
import { TABLES } from '../../functions/topology/topology';
import { JOB_NAMES } from '../../functions/workers/jobs';
import { count, textTable } from '../../shared/text-table';
import type { CliContext } from '../lib/context';
import { clip, time } from '../lib/format';
import { CliError, EXIT, writeJson } from '../lib/io';

/** Every state a job record can have. */
export const JOB_STATES: readonly JobState[] = [
  'executing',
  'retryable',
  'completed',
  'discarded',
  'dead',
  'snoozed',
];

function records(context: CliContext): JobRecords {
  // ttlSeconds only matters for writes; the CLI only reads.
  return new JobRecords(context.dynamodb, context.name(TABLES.jobRecords.name), 0);
}

/**
 * @example
 * ```ts
 * process.exitCode = await jobShow(context, '0f3c…', { json: true });
 * ```
 */
export async function jobShow(
  context: CliContext,
  jobId: string,
  options: { json?: boolean },
): Promise<number> {
  const record = await records(context).get(jobId);
  if (!record) {
    throw new CliError(
      `No job record for ${jobId} in ${context.name(TABLES.jobRecords.name)}. Records exist for failures (and successes only where a job records them); they expire after their TTL.`,
    );
  }
  if (options.json) writeJson(context.io, record);
  else context.io.stdout(`${renderJob(record)}\n`);
  return EXIT.ok;
}

/** One record: its fields, then its failure history. Pure. */
export function renderJob(record: JobRecord): string {
  const fields: Array<[string, string]> = [
    ['job id', record.jobId],
    ['job', record.job],
    ['state', record.state],
    ['attempts', `${record.attempts} of ${record.maxAttempts}`],
    ['updated', time(record.updatedAt)],
    ['event', `${record.eventType ?? '-'} ${record.eventId ?? ''}`.trim()],
    ['message id', record.messageId],
  ];
  if (record.reason) fields.push(['reason', record.reason]);
  if (record.lastError) {
    fields.push(['last error', `${record.lastError.class}: ${record.lastError.message}`]);
  }
  if (record.firstFailedAt) fields.push(['first failed', time(record.firstFailedAt)]);
  if (record.lastFailedAt) fields.push(['last failed', time(record.lastFailedAt)]);
  const width = Math.max(...fields.map(([name]) => name.length));
  const lines = fields.map(([name, value]) => `${name.padEnd(width)}  ${value}`);
  if (record.history.length > 0) {
    lines.push(
      '',
      `History (${record.history.length}, oldest first):`,
      textTable(
        ['AT', 'REASON', 'ERROR', 'MESSAGE', 'CODE'],
        record.history.map((h) => [
          time(h.at),
          String(h.reason),
          h.errorClass,
          clip(h.message, 80),
          h.codeVersion,
        ]),
      ),
    );
  }
  return lines.join('\n');
}

export interface JobsListOptions {
  readonly type?: string;
  readonly state: string;
  readonly limit: number;
  readonly json?: boolean;
}

/**
 * @example
 * ```ts
 * process.exitCode = await jobsList(context, { type: 'sync-customer', state: 'dead', limit: 50 });
 * ```
 */
export async function jobsList(context: CliContext, options: JobsListOptions): Promise<number> {
  if (options.type !== undefined && !(JOB_NAMES as readonly string[]).includes(options.type)) {
    throw new CliError(
      `Unknown job type "${options.type}". Known: ${JOB_NAMES.join(', ')}`,
      EXIT.usage,
    );
  }
  if (!(JOB_STATES as readonly string[]).includes(options.state)) {
    throw new CliError(
      `Unknown state "${options.state}". Known: ${JOB_STATES.join(', ')}`,
      EXIT.usage,
    );
  }
  const state = options.state as JobState;
  const types = options.type ? [options.type] : [...JOB_NAMES];
  const store = records(context);
  const found = (await Promise.all(types.map((t) => store.byState(t, state, options.limit))))
    .flat()
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
    .slice(0, options.limit);
  if (options.json) {
    writeJson(context.io, { type: options.type ?? null, state, count: found.length, jobs: found });
  } else {
    context.io.stdout(`${renderJobs(found, options.type, state, options.limit)}\n`);
  }
  return EXIT.ok;
}

/** The list as a table, newest first, with a line on what it covers. Pure. */
export function renderJobs(
  jobs: readonly JobRecord[],
  type: string | undefined,
  state: JobState,
  limit: number,
): string {
  const scope = `${type ?? 'every job'}, state ${state}`;
  if (jobs.length === 0) return `No job records (${scope}).`;
  const table = textTable(
    ['JOB ID', 'JOB', 'STATE', 'ATTEMPTS', 'UPDATED', 'EVENT TYPE', 'LAST ERROR'],
    jobs.map((j) => [
      j.jobId,
      j.job,
      j.state,
      `${j.attempts}/${j.maxAttempts}`,
      time(j.updatedAt),
      j.eventType ?? '-',
      clip(j.lastError ? `${j.lastError.class}: ${j.lastError.message}` : '-', 60),
    ]),
    ['left', 'left', 'left', 'right'],
  );
  const more = jobs.length >= limit ? ` (the newest ${count(limit)}; --limit for more)` : '';
  return `${table}\n\n${count(jobs.length)} job record(s), ${scope}, newest first${more}. Details: sluice job show <job id>`;
}
