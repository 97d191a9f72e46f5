/**
 * One emulated MSK event source mapping: a consumer group of its own on one topic, batches
 * in the MSKEvent shape, offsets committed only after the handler succeeded, a failed batch
 * delivered again while its partitions wait, and — when enabled — the partial batch response
 * honoured per partition (commit up to the first failed offset, resume from it).
 *
 * Batches run one at a time per mapping, so records of a partition are never delivered out
 * of order or twice at once.
 */
import type { MSKEvent } from 'aws-lambda';
import { kafkaResumeOffsets } from './batch-responses';
import { invokeHandler } from './invoke';
import {
  type FetchedKafkaMessage,
  KafkaConnection,
  type KafkaConnectionOptions,
} from './kafka-connection';
import type { ResolvedKafkaMapping } from './mappings';
import { mskEventFrom, mskPartitionKey } from './msk-event';
import { LAMBDA_MAX_PAYLOAD_BYTES, PartitionBuffer } from './partition-buffer';
import type { RunningMapping } from './running-mapping';
import { Wakeup } from './signals';
import { type EventSourceHooks, type InvocationOutcome, MappingCounters } from './stats';

type KafkaMessage = FetchedKafkaMessage;

/**
 * Joins the mapping's consumer group and starts delivering; resolves once the group is
 * joined. Offsets start from the group's committed offsets, or from `startingPosition`.
 *
 * @example
 * ```ts
 * const running = await startKafkaMapping(resolveKafkaMapping(mapping, 'us-east-1'), {});
 * await running.stop(); // the batch in flight finishes and is committed
 * ```
 */
export async function startKafkaMapping(
  mapping: ResolvedKafkaMapping,
  hooks: EventSourceHooks,
  options: Pick<
    KafkaConnectionOptions,
    'createConsumer' | 'reconnectDelayMs' | 'firstJoinTimeoutMs'
  > = {},
): Promise<RunningMapping> {
  const counters = new MappingCounters(mapping.name, 'kafka', hooks);
  const limits = {
    batchSize: mapping.batchSize,
    windowMs: mapping.maxBatchingWindowSeconds * 1000,
    maxPayloadBytes: LAMBDA_MAX_PAYLOAD_BYTES,
  };
  // Fetch ahead by up to two batches, then let the broker wait (backpressure).
  const highWater = Math.max(2 * mapping.batchSize, 500);
  const buffer = new PartitionBuffer<KafkaMessage>();
  const wakeup = new Wakeup();
  let stopping = false;

  const connection = await KafkaConnection.open(mapping, {
    ...options,
    onMessage: (message, connection) => {
      // A reconnected consumer fetches again from the committed offsets: the buffer drops
      // records it holds or delivered already.
      buffer.add(message, Date.now());
      if (buffer.size >= highWater) connection.pause();
      wakeup.notify();
    },
    onError: (error) => counters.error(error),
  });

  async function deliver(batch: KafkaMessage[]): Promise<void> {
    // The one place the emulation's honest record type meets Lambda's declared one, which
    // claims key and value are always present (not so for keyless records and tombstones).
    const event = mskEventFrom(batch, {
      eventSourceArn: mapping.eventSourceArn,
      bootstrapServers: mapping.bootstrapBrokers,
    }) as unknown as MSKEvent;
    counters.started();
    const started = Date.now();
    const result = await invokeHandler(mapping.handler, event, mapping.timeoutSeconds);

    let error: unknown;
    let outcome: InvocationOutcome = 'succeeded';
    let resume: Map<string, number> | undefined;
    if (!result.ok) {
      error = result.error;
    } else if (!mapping.reportBatchItemFailures) {
      resume = new Map();
    } else {
      resume = kafkaResumeOffsets(result.response, batch);
      if (!resume) {
        error = new Error(`Unusable KafkaBatchResponse: ${JSON.stringify(result.response)}`);
      }
    }
    if (!resume) outcome = 'failed';
    else if (resume.size > 0) outcome = 'partial';

    const { done, again } = split(batch, resume);
    await commit(done);
    if (again.length > 0) buffer.putBack(again, Date.now() + mapping.retryDelayMs);
    counters.finished({
      mapping: mapping.name,
      kind: 'kafka',
      records: batch.length,
      failedItems: again.length,
      outcome,
      durationMs: Date.now() - started,
      error,
    });
  }

  /** Commits, per partition, the offset after its last processed record. */
  async function commit(done: KafkaMessage[]): Promise<void> {
    const last = new Map<string, KafkaMessage>();
    for (const message of done) {
      const key = mskPartitionKey(message.topic, message.partition);
      const current = last.get(key);
      if (!current || current.offset < message.offset) last.set(key, message);
    }
    const results = await connection.commit([...last.values()]);
    for (const result of results) {
      // Not delivered again now: the records were processed; a restart redelivers them.
      if (result.status === 'rejected') counters.error(result.reason);
    }
  }

  async function run(): Promise<void> {
    while (!stopping) {
      const now = Date.now();
      const plan = buffer.plan(now, limits);
      if (!plan.cut) {
        await wakeup.wait(plan.wakeAt);
        continue;
      }
      const batch = buffer.take(now, limits);
      try {
        await deliver(batch);
      } catch (error) {
        // The batch could not even be turned into an event: keep it, and keep the partition waiting.
        counters.error(error);
        buffer.putBack(batch, Date.now() + mapping.retryDelayMs);
      }
      if (!stopping && connection.paused && buffer.size < highWater) connection.resume();
    }
  }
  const loop = run();

  return {
    stats: () => counters.snapshot(),
    async stop() {
      stopping = true;
      connection.pause();
      wakeup.notify();
      await loop;
      await connection.close();
      return counters.snapshot();
    },
  };
}

/** Records before each partition's resume offset are done; from it on they are delivered again. */
function split(
  batch: readonly KafkaMessage[],
  resume: ReadonlyMap<string, number> | undefined,
): { done: KafkaMessage[]; again: KafkaMessage[] } {
  if (!resume) return { done: [], again: [...batch] };
  const done: KafkaMessage[] = [];
  const again: KafkaMessage[] = [];
  for (const message of batch) {
    const from = resume.get(mskPartitionKey(message.topic, message.partition));
    if (from !== undefined && message.offset >= BigInt(from)) again.push(message);
    else done.push(message);
  }
  return { done, again };
}
