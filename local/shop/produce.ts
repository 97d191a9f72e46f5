/**
 * Publishes the simulated shop's records to Kafka, in order, as the shop's services would:
 * keyed by entity so each entity's events stay in one partition, with an idempotent
 * producer so the broker never writes a retried send twice.
 */
import { Producer } from '@platformatic/kafka';
import type { ShopRecord } from './scenario';

export interface ProduceOptions {
  readonly bootstrapBrokers: readonly string[];
  /** Records per send call. */
  readonly chunk?: number;
  /** Publish at most this many records per second (a live shop); as fast as possible if unset. */
  readonly perSecond?: number;
  /** Stops publishing between chunks (Ctrl-C in `npm run dev`). */
  readonly signal?: AbortSignal;
  /** Called after each chunk with the records sent so far. */
  readonly progress?: (sent: number, total: number) => void;
}

/**
 * @example
 * ```ts
 * await produceRecords(scenario.records, { bootstrapBrokers: ['127.0.0.1:9092'] });
 * ```
 */
export async function produceRecords(
  records: readonly ShopRecord[],
  options: ProduceOptions,
): Promise<void> {
  const producer = new Producer({
    clientId: 'sluice-shop',
    bootstrapBrokers: [...options.bootstrapBrokers],
    idempotent: true,
  });
  const chunk = Math.min(options.chunk ?? 500, options.perSecond ?? Number.POSITIVE_INFINITY);
  const pace = options.perSecond ? (chunk / options.perSecond) * 1000 : 0;
  try {
    for (let start = 0; start < records.length && !options.signal?.aborted; start += chunk) {
      const tick = Date.now();
      const messages = records.slice(start, start + chunk).map((record) => ({
        topic: record.topic,
        key: Buffer.from(record.key),
        value: record.value,
        headers: new Map(
          Object.entries(record.headers).map(([name, value]) => [
            Buffer.from(name),
            Buffer.from(value),
          ]),
        ),
      }));
      await producer.send({ messages });
      options.progress?.(Math.min(start + chunk, records.length), records.length);
      const rest = pace - (Date.now() - tick);
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    }
  } finally {
    await producer.close();
  }
}
