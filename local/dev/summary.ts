/**
 * The one-screen summary `npm run dev` redraws: what was produced and consumed, what each
 * job did, what sits in the dead-letter queues, what is searchable — and the commands to
 * look closer. Pure: a snapshot in, text out, so it is tested without a terminal.
 */
import { count, textTable } from '../../shared/text-table';
import type { TopicLag } from './kafka-lag';

export interface JobRow {
  readonly job: string;
  /** Deliveries acknowledged by the handler (done, duplicates, discarded, snoozed, dead-lettered). */
  readonly acknowledged: number;
  /** Deliveries reported as failed so far (each comes back after its backoff, or is dead-lettered). */
  readonly failed: number;
  /** Messages in the job's queue: waiting, and in flight or backing off. */
  readonly visible: number;
  readonly inFlight: number;
  /** Messages in the job's dead-letter queue. */
  readonly deadLettered: number;
}

export interface DevSnapshot {
  readonly stage: string;
  readonly elapsedMs: number;
  readonly produced: { readonly sent: number; readonly total: number; readonly invalid: number };
  readonly topics: readonly TopicLag[];
  readonly jobs: readonly JobRow[];
  /** Router dead letters waiting for review, and messages being replayed. */
  readonly ingestDlq: number;
  readonly replayQueue: number;
  /** Products a search finds (tombstones excluded), audit documents; undefined = unknown. */
  readonly searchable?: number;
  readonly auditDocuments?: number;
  readonly commands: readonly string[];
  /** Latest notable lines (errors of the event sources, phase changes). */
  readonly notes: readonly string[];
}

function clock(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}

const known = (value: number | undefined) => (value === undefined ? '…' : count(value));

/**
 * @example
 * ```ts
 * process.stdout.write(`\x1b[H\x1b[2J${renderSummary(snapshot)}\n`);
 * ```
 */
export function renderSummary(s: DevSnapshot): string {
  const consumed = s.topics.reduce((sum, t) => sum + t.committed, 0);
  const lag = s.topics.reduce((sum, t) => sum + t.lag, 0);
  const topics = textTable(
    ['TOPIC', 'IN TOPIC', 'CONSUMED', 'LAG'],
    s.topics.map((t) => [t.topic, count(t.end), count(t.committed), count(t.lag)]),
    ['left', 'right', 'right', 'right'],
  );
  const jobs = textTable(
    ['JOB', 'ACKED', 'FAILED', 'QUEUED', 'IN FLIGHT', 'DLQ'],
    s.jobs.map((j) => [
      j.job,
      count(j.acknowledged),
      count(j.failed),
      count(j.visible),
      count(j.inFlight),
      count(j.deadLettered),
    ]),
    ['left', 'right', 'right', 'right', 'right', 'right'],
  );
  return [
    `Sluice dev · stage ${s.stage} · ${clock(s.elapsedMs)} · Ctrl-C stops everything`,
    '',
    `Events produced ${count(s.produced.sent)} / ${count(s.produced.total)} (${count(s.produced.invalid)} invalid by design) · consumed ${count(consumed)} · lag ${count(lag)}`,
    topics,
    '',
    jobs,
    '',
    `Ingest DLQ ${count(s.ingestDlq)} (replaying ${count(s.replayQueue)}) · products searchable ${known(s.searchable)} · audit documents ${known(s.auditDocuments)}`,
    '',
    ...s.commands,
    ...(s.notes.length > 0 ? ['', ...s.notes] : []),
  ].join('\n');
}
