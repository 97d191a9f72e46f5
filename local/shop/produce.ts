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
  const chunk = options.chunk ?? 500;
  try {
    for (let start = 0; start < records.length; start += chunk) {
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
    }
  } finally {
    await producer.close();
  }
}
