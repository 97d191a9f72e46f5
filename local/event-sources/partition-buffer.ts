/**
 * The records a Kafka mapping has fetched but not yet committed, per partition, and the
 * decision when to cut a batch: when it is full, when the batching window of its oldest
 * record has passed, when it nears Lambda's payload limit, or at once for a retry.
 *
 * A failed batch goes back to the front of its partitions with a not-before time, so the
 * partition waits and the same records come first in its next batch. Pure logic: time comes
 * in as `now`, so it is tested without a broker.
 */
import { type ConsumedKafkaMessage, mskPartitionKey } from './msk-event';

/** Lambda's limit for a synchronous invocation payload: 6 MB. */
export const LAMBDA_MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export interface BatchLimits {
  readonly batchSize: number;
  readonly windowMs: number;
  readonly maxPayloadBytes: number;
}

/** Cut a batch now, or look again at `wakeAt` (or when a record arrives). */
export type BatchPlan = { readonly cut: true } | { readonly cut: false; readonly wakeAt?: number };

interface Entry<M> {
  readonly message: M;
  readonly arrivedAt: number;
  readonly bytes: number;
}

interface Partition<M> {
  entries: Entry<M>[];
  /** Retry backoff: nothing of this partition is delivered before this time. */
  notBefore: number;
  /** The head records were delivered before and failed: deliver them without a window. */
  retry: boolean;
}

/**
 * @example
 * ```ts
 * const buffer = new PartitionBuffer<Message>();
 * buffer.add(message, Date.now());
 * const limits = { batchSize: 100, windowMs: 500, maxPayloadBytes: LAMBDA_MAX_PAYLOAD_BYTES };
 * if (buffer.plan(Date.now(), limits).cut) invoke(buffer.take(Date.now(), limits));
 * ```
 */
export class PartitionBuffer<M extends ConsumedKafkaMessage> {
  readonly #partitions = new Map<string, Partition<M>>();
  /** Per partition, the offset after the last record ever added: refetched records are dropped. */
  readonly #nextOffset = new Map<string, bigint>();
  #size = 0;

  /** Records held, ready or waiting. */
  get size(): number {
    return this.#size;
  }

  /** Adds a fetched record; returns false for a record already held or delivered. */
  add(message: M, now: number): boolean {
    const key = mskPartitionKey(message.topic, message.partition);
    const next = this.#nextOffset.get(key);
    if (next !== undefined && message.offset < next) return false;
    this.#nextOffset.set(key, message.offset + 1n);
    this.#partition(key).entries.push({ message, arrivedAt: now, bytes: estimatedBytes(message) });
    this.#size += 1;
    return true;
  }

  /** Whether to cut a batch at `now`. */
  plan(now: number, limits: BatchLimits): BatchPlan {
    let ready = 0;
    let bytes = 0;
    let oldestArrival = Number.POSITIVE_INFINITY;
    let nextNotBefore = Number.POSITIVE_INFINITY;
    for (const partition of this.#partitions.values()) {
      const head = partition.entries[0];
      if (!head) continue;
      if (partition.notBefore > now) {
        nextNotBefore = Math.min(nextNotBefore, partition.notBefore);
        continue;
      }
      if (partition.retry) return { cut: true };
      ready += partition.entries.length;
      for (const entry of partition.entries) bytes += entry.bytes;
      oldestArrival = Math.min(oldestArrival, head.arrivedAt);
    }
    if (ready >= limits.batchSize || bytes >= limits.maxPayloadBytes) return { cut: true };
    const windowEnd = ready > 0 ? oldestArrival + limits.windowMs : Number.POSITIVE_INFINITY;
    if (windowEnd <= now) return { cut: true };
    const wakeAt = Math.min(windowEnd, nextNotBefore);
    return Number.isFinite(wakeAt) ? { cut: false, wakeAt } : { cut: false };
  }

  /**
   * Removes and returns the next batch: records of the ready partitions taken in turn (so
   * one busy partition does not starve the others), each partition in offset order, up to
   * the batch size and payload limit (at least one record).
   */
  take(now: number, limits: Pick<BatchLimits, 'batchSize' | 'maxPayloadBytes'>): M[] {
    const ready = [...this.#partitions.values()].filter(
      (p) => p.entries.length > 0 && p.notBefore <= now,
    );
    const batch: M[] = [];
    let bytes = 0;
    let progress = true;
    while (batch.length < limits.batchSize && progress) {
      progress = false;
      for (const partition of ready) {
        const entry = partition.entries[0];
        if (!entry || batch.length >= limits.batchSize) continue;
        if (batch.length > 0 && bytes + entry.bytes > limits.maxPayloadBytes)
          return this.#taken(batch);
        partition.entries.shift();
        partition.retry = false;
        batch.push(entry.message);
        bytes += entry.bytes;
        progress = true;
      }
    }
    return this.#taken(batch);
  }

  /**
   * Returns records of a failed delivery to the front of their partitions; the partitions
   * wait until `notBefore` and then deliver these records first, without a window.
   */
  putBack(messages: readonly M[], notBefore: number): void {
    const byPartition = new Map<string, M[]>();
    for (const message of messages) {
      const key = mskPartitionKey(message.topic, message.partition);
      byPartition.set(key, [...(byPartition.get(key) ?? []), message]);
    }
    for (const [key, returned] of byPartition) {
      returned.sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0));
      const partition = this.#partition(key);
      const entries = returned.map((message) => ({
        message,
        arrivedAt: notBefore,
        bytes: estimatedBytes(message),
      }));
      partition.entries.unshift(...entries);
      partition.notBefore = notBefore;
      partition.retry = true;
      this.#size += returned.length;
    }
  }

  #taken(batch: M[]): M[] {
    this.#size -= batch.length;
    return batch;
  }

  #partition(key: string): Partition<M> {
    let partition = this.#partitions.get(key);
    if (!partition) {
      partition = { entries: [], notBefore: 0, retry: false };
      this.#partitions.set(key, partition);
    }
    return partition;
  }
}

/** Size of the record in the MSK event JSON: base64 grows bytes by 4/3, header bytes ~4 chars each. */
function estimatedBytes(message: ConsumedKafkaMessage): number {
  let headerBytes = 0;
  for (const [name, value] of message.headers) {
    headerBytes += name.length + 8 + (value ? value.length * 4 : 0);
  }
  const base64 = (length: number) => Math.ceil(length / 3) * 4;
  return (
    160 +
    message.topic.length +
    base64(message.key?.length ?? 0) +
    base64(message.value?.length ?? 0) +
    headerBytes
  );
}
