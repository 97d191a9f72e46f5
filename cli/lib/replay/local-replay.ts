/**
 * Replays Kafka records by consuming them directly (the local stack, or any cluster this
 * machine can reach) with a consumer group of its own, converting each batch to the MSK
 * event Lambda would deliver and routing it with the router's own code. Offsets are
 * committed after each routed batch, so the group shows how far the replay got.
 */
import { Consumer, type Message } from '@platformatic/kafka';
import { MemoryDeadLetterLedger } from '../../../functions/router/dead-letter-ledger';
import type { RouterInput } from '../../../functions/router/plan';
import {
  type RecordOutcome,
  type RouterDeps,
  routeBatch,
} from '../../../functions/router/route-batch';
import { mskEventFrom } from '../../../local/event-sources/msk-event';
import { CliError } from '../io';
import type { ProgressBar } from '../progress';
import { sleep } from '../sleep';
import type { ReplayPlan } from './replay-plan';

type KafkaMessage = Message<Buffer, Buffer, Buffer, Buffer>;

export interface LocalReplayOptions {
  readonly brokers: readonly string[];
  readonly groupId: string;
  readonly batchSize: number;
  readonly deps: RouterDeps;
  /** Put in the MSK event as Lambda would; the router does not read it. */
  readonly eventSourceArn: string;
  /** Give up waiting for more records after this long without any. */
  readonly idleTimeoutMs: number;
  readonly progress?: ProgressBar;
  readonly signal?: AbortSignal;
}

export interface LocalReplayResult {
  readonly replayed: number;
  readonly routed: number;
  readonly skipped: number;
  readonly deadLettered: number;
  /** Per partition, the next offset the replay would have read. */
  readonly reached: Array<{ partition: number; offset: string; end: string }>;
  readonly complete: boolean;
}

/** Attempts per batch while some of its jobs cannot be enqueued (transient SQS faults). */
const BATCH_ATTEMPTS = 4;

/**
 * @example
 * ```ts
 * const result = await replayLocally(plan, { brokers: ['127.0.0.1:9092'],
 *   groupId: 'sluice-dev-replay-1', batchSize: 100, deps, eventSourceArn, idleTimeoutMs: 10_000 });
 * ```
 */
export async function replayLocally(
  plan: ReplayPlan,
  options: LocalReplayOptions,
): Promise<LocalReplayResult> {
  const counts = { replayed: 0, routed: 0, skipped: 0, deadLettered: 0 };
  const next = new Map(plan.partitions.map((p) => [p.partition, p.start]));
  const pending = () => plan.partitions.filter((p) => (next.get(p.partition) ?? p.end) < p.end);
  const result = (complete: boolean): LocalReplayResult => ({
    ...counts,
    reached: plan.partitions.map((p) => ({
      partition: p.partition,
      offset: String(next.get(p.partition) ?? p.start),
      end: String(p.end),
    })),
    complete,
  });
  if (pending().length === 0) return result(true);

  const consumer = new Consumer({
    groupId: options.groupId,
    clientId: 'sluice-cli-replay',
    bootstrapBrokers: [...options.brokers],
    maxWaitTime: 300,
  });
  try {
    const stream = await consumer.consume({
      topics: [plan.topic],
      mode: 'manual',
      // Every partition needs a start; excluded ones start (and end) at their end.
      offsets: plan.partitions.map((p) => ({
        topic: plan.topic,
        partition: p.partition,
        offset: p.start,
      })),
      autocommit: false,
    });
    const buffer: KafkaMessage[] = [];
    let wake: (() => void) | undefined;
    let streamError: unknown;
    stream.on('data', (message: KafkaMessage) => {
      buffer.push(message);
      if (buffer.length >= options.batchSize * 4) stream.pause();
      wake?.();
    });
    stream.on('error', (error: unknown) => {
      streamError = error;
      wake?.();
    });
    let idleSince = Date.now();
    try {
      while (pending().length > 0 && !options.signal?.aborted) {
        if (streamError) throw streamError;
        if (buffer.length === 0) {
          if (Date.now() - idleSince > options.idleTimeoutMs) return result(false);
          await new Promise<void>((resolve) => {
            wake = resolve;
            void sleep(200, options.signal).then(resolve);
          });
          wake = undefined;
          continue;
        }
        idleSince = Date.now();
        const taken = buffer.splice(0, options.batchSize);
        if (stream.isPaused() && buffer.length < options.batchSize) stream.resume();
        const wanted = taken.filter((m) => {
          const range = plan.partitions.find((p) => p.partition === m.partition);
          return range !== undefined && m.offset >= range.start && m.offset < range.end;
        });
        if (wanted.length > 0) await routeWithRetries(wanted, options, counts);
        await commitLast(wanted);
        for (const m of wanted) {
          if (m.offset + 1n > (next.get(m.partition) ?? 0n)) next.set(m.partition, m.offset + 1n);
        }
        options.progress?.update(counts.replayed, `${counts.deadLettered} dead-lettered`);
      }
      return result(pending().length === 0);
    } finally {
      await stream.close().catch(() => undefined);
    }
  } finally {
    await consumer.close().catch(() => undefined);
  }
}

async function routeWithRetries(
  messages: readonly KafkaMessage[],
  options: LocalReplayOptions,
  counts: { replayed: number; routed: number; skipped: number; deadLettered: number },
): Promise<void> {
  const event = mskEventFrom(messages, {
    eventSourceArn: options.eventSourceArn,
    bootstrapServers: options.brokers,
  });
  const inputs: RouterInput[] = Object.values(event.records)
    .flat()
    .map((record) => ({ record }));
  let outcomes: RecordOutcome[] = [];
  // This run's own: its retries do not resend a dead letter, a failure of this replay gets
  // one even if the live router dead-lettered the record before.
  const ledger = new MemoryDeadLetterLedger();
  for (let attempt = 1; attempt <= BATCH_ATTEMPTS; attempt++) {
    // As the on-demand router: a batch with any record not enqueued is routed again whole
    // (job ids are deterministic, so the jobs already sent are duplicates the workers drop).
    outcomes = await routeBatch(inputs, options.deps, ledger);
    if (!outcomes.includes('pending')) break;
    if (attempt === BATCH_ATTEMPTS) {
      const first = inputs[outcomes.indexOf('pending')]?.record;
      throw new CliError(
        `Some records could not be enqueued after ${BATCH_ATTEMPTS} attempts (SQS failing?). The replay stopped; offsets before ${first?.topic}-${first?.partition}@${first?.offset} are committed in its consumer group. Run again with --from ${first?.offset}${first ? ` --partition ${first.partition}` : ''} to go on.`,
      );
    }
    await sleep(1000 * attempt, options.signal);
  }
  counts.replayed += inputs.length;
  for (const outcome of outcomes) {
    if (outcome === 'routed') counts.routed++;
    else if (outcome === 'skipped') counts.skipped++;
    else if (outcome === 'dead-lettered') counts.deadLettered++;
  }
}

/** Commits, per partition, the offset after the last record routed. */
async function commitLast(messages: readonly KafkaMessage[]): Promise<void> {
  const last = new Map<number, KafkaMessage>();
  for (const m of messages) {
    const current = last.get(m.partition);
    if (!current || current.offset < m.offset) last.set(m.partition, m);
  }
  await Promise.all([...last.values()].map((m) => m.commit()));
}
