/**
 * Per-run Kafka topics for the event-source tests, records produced to chosen partitions, and the
 * broker's view of a consumer group's committed offsets — read with an Admin client, never
 * from the emulation's own counters.
 */
import { Admin, Producer } from '@platformatic/kafka';
import { applyLocalServiceEnv, kafkaBrokersVariable } from '../../../../local/services/endpoints';
import { runName } from '../../../support/unique-name';

applyLocalServiceEnv();
export const bootstrapBrokers = (process.env[kafkaBrokersVariable] ?? '').split(',');

export interface ProducedRecord {
  partition: number;
  key?: string;
  value: string;
  headers?: Record<string, string>;
}

export interface KafkaFixture {
  admin: Admin;
  /** A fresh topic with `partitions` partitions; deleted in `close()`. */
  topic(suffix: string, partitions: number): Promise<string>;
  /** A group id unique to this run; deleted in `close()`. */
  group(suffix: string): string;
  produce(topic: string, records: readonly ProducedRecord[]): Promise<void>;
  /** Committed offset per partition (-1 when none), as the broker has it. */
  committed(group: string, topic: string): Promise<Map<number, bigint>>;
  /** The end offset (next offset to be written) per partition. */
  ends(topic: string, partitions: number): Promise<Map<number, bigint>>;
  close(): Promise<void>;
}

export function kafkaFixture(): KafkaFixture {
  const admin = new Admin({ clientId: 'sluice-it-event-sources', bootstrapBrokers });
  const producer = new Producer({
    clientId: 'sluice-it-event-sources',
    bootstrapBrokers,
    // A produce retried after a new topic's leader election must not write records twice.
    idempotent: true,
  });
  const topics: string[] = [];
  const groups: string[] = [];
  return {
    admin,
    async topic(suffix, partitions) {
      const name = runName(suffix);
      await admin.createTopics({ topics: [name], partitions, replicas: 1 });
      topics.push(name);
      return name;
    },
    group(suffix) {
      const name = runName(suffix);
      groups.push(name);
      return name;
    },
    async produce(topic, records) {
      await producer.send({
        messages: records.map((r) => ({
          topic,
          partition: r.partition,
          key: r.key === undefined ? undefined : Buffer.from(r.key),
          value: Buffer.from(r.value),
          headers: new Map(
            Object.entries(r.headers ?? {}).map(([k, v]) => [Buffer.from(k), Buffer.from(v)]),
          ),
        })),
      });
    },
    async committed(group, topic) {
      const [listed] = await admin.listConsumerGroupOffsets({ groups: [group] });
      const offsets = new Map<number, bigint>();
      for (const t of listed?.topics ?? []) {
        if (t.name !== topic) continue;
        for (const p of t.partitions) offsets.set(p.partitionIndex, p.committedOffset);
      }
      return offsets;
    },
    async ends(topic, partitions) {
      const [listed] = await admin.listOffsets({
        topics: [
          {
            name: topic,
            // Timestamp -1 asks for the latest offset.
            partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
              partitionIndex,
              timestamp: -1n,
            })),
          },
        ],
      });
      return new Map((listed?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]));
    },
    async close() {
      await producer.close();
      await admin.deleteGroups({ groups }).catch(() => undefined);
      await admin.deleteTopics({ topics }).catch(() => undefined);
      await admin.close();
    },
  };
}
