/**
 * Where redriven canary messages ended. A job letter's outcome is in its job record (the
 * job runtime rewrites a redriven job's record: completed, discarded, dead again, retrying).
 * Anything else (ingest letters) is decided once the destination queue has drained: a
 * message whose dead letter is back in the DLQ failed again; one that is not was processed.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { JobRecords } from '../../../functions/jobs/stores/job-records';
import { type DlqEntry, identitiesOf } from '../dlq-entry';
import { scanQueue } from '../dlq-scan';
import type { QueueDirectory } from '../queues';
import { sleep } from '../sleep';
import { isReturn, type MovedMessage } from './transfer';

export type RedrivenOutcome = 'processed' | 'failed' | 'pending';

export interface MessageOutcome {
  readonly moved: MovedMessage;
  readonly outcome: RedrivenOutcome;
  /** The job record's state, or where the message was found. */
  readonly detail: string;
  /** The new error, when it failed again. */
  readonly error?: string;
}

export interface WatchOptions {
  readonly sqs: SQSClient;
  readonly queues: QueueDirectory;
  /** Job records, for job DLQs; undefined for the ingest DLQ. */
  readonly records?: JobRecords;
  readonly dlqUrl: string;
  readonly destinationUrl: string;
  /** When the redrive started, for messages without a previous failure time. */
  readonly startedAt: Date;
  readonly timeoutMs: number;
  readonly pollMs: number;
  readonly visibilityTimeoutSeconds: number;
  readonly signal?: AbortSignal;
  readonly onUpdate?: (outcomes: readonly MessageOutcome[]) => void;
}

/**
 * Waits until every moved message has an outcome, or the timeout; what is still undecided
 * then stays `pending`.
 *
 * @example
 * ```ts
 * const outcomes = await watchOutcomes(canary.moved, { sqs, queues, records, dlqUrl,
 *   destinationUrl, startedAt, timeoutMs: 120_000, pollMs: 1_000, visibilityTimeoutSeconds: 30 });
 * ```
 */
export async function watchOutcomes(
  moved: readonly MovedMessage[],
  options: WatchOptions,
): Promise<MessageOutcome[]> {
  const outcomes = new Map<string, MessageOutcome>(
    moved.map((m) => [m.identity, { moved: m, outcome: 'pending', detail: 'sent' }]),
  );
  const deadline = Date.now() + options.timeoutMs;
  const pending = () => [...outcomes.values()].filter((o) => o.outcome === 'pending');

  while (pending().length > 0 && !options.signal?.aborted) {
    if (options.records)
      await readJobRecords(options.records, pending(), outcomes, options.startedAt);
    const undecidedWithoutRecords = pending().filter((o) => !(options.records && o.moved.jobId));
    if (undecidedWithoutRecords.length > 0) {
      const depth = await options.queues.depth(options.destinationUrl);
      if (depth.total === 0) {
        await decideByDlq(undecidedWithoutRecords, outcomes, options, true);
      }
    }
    options.onUpdate?.([...outcomes.values()]);
    if (pending().length === 0) break;
    if (Date.now() >= deadline) {
      // Last look: a failed message is back in the DLQ whatever kept its record quiet.
      await decideByDlq(pending(), outcomes, options, false);
      options.onUpdate?.([...outcomes.values()]);
      break;
    }
    await sleep(options.pollMs, options.signal);
  }
  return [...outcomes.values()];
}

async function readJobRecords(
  records: JobRecords,
  pending: readonly MessageOutcome[],
  outcomes: Map<string, MessageOutcome>,
  startedAt: Date,
): Promise<void> {
  await Promise.all(
    pending.map(async ({ moved }) => {
      if (!moved.jobId) return;
      const record = await records.get(moved.jobId);
      // Only a record written after the failure being redriven says anything new.
      const since = moved.lastFailedAt ?? startedAt.toISOString();
      if (!record || record.updatedAt <= since) return;
      const state = record.state;
      let next: MessageOutcome;
      if (state === 'completed' || state === 'discarded' || state === 'snoozed') {
        next = { moved, outcome: 'processed', detail: `job record ${state}` };
      } else if (state === 'dead') {
        next = {
          moved,
          outcome: 'failed',
          detail: 'dead again',
          ...(record.lastError
            ? { error: `${record.lastError.class}: ${record.lastError.message}` }
            : {}),
        };
      } else {
        next = { moved, outcome: 'pending', detail: `${state} (attempt ${record.attempts})` };
      }
      outcomes.set(moved.identity, next);
    }),
  );
}

/**
 * Looks for the messages' dead letters in the DLQ. With `drained` (the destination is
 * empty, so each message has ended) a message not found was processed; otherwise only
 * failures are decided.
 */
async function decideByDlq(
  undecided: readonly MessageOutcome[],
  outcomes: Map<string, MessageOutcome>,
  options: WatchOptions,
  drained: boolean,
): Promise<void> {
  if (undecided.length === 0) return;
  const scan = await scanQueue(options.sqs, options.dlqUrl, {
    max: Number.POSITIVE_INFINITY,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    const byIdentity = new Map<string, DlqEntry[]>();
    for (const entry of scan.entries) {
      const list = byIdentity.get(entry.identity) ?? [];
      list.push(entry);
      byIdentity.set(entry.identity, list);
    }
    for (const { moved } of undecided) {
      const back = identitiesOf(moved)
        .flatMap((identity) => byIdentity.get(identity) ?? [])
        .find((e) => isReturn(e, moved));
      if (back) {
        outcomes.set(moved.identity, {
          moved,
          outcome: 'failed',
          detail: 'back in the DLQ',
          ...(back.letter
            ? { error: `${back.letter.error.class}: ${back.letter.error.message}` }
            : {}),
        });
      } else if (drained && scan.complete) {
        outcomes.set(moved.identity, {
          moved,
          outcome: 'processed',
          detail: 'gone from the queues',
        });
      }
    }
  } finally {
    await scan.release();
  }
}
