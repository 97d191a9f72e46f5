/**
 * Kafka 4 (KRaft) through @platformatic/kafka, the client Sluice uses: create a topic, produce
 * keyed records with headers, consume them in a consumer group with manual commits, and check
 * the committed offsets and that nothing was written twice. The broker list comes from
 * SLUICE_KAFKA_BROKERS (local broker by default).
 */
import {
  Admin,
  Consumer,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { afterAll, describe, expect, it } from 'vitest';
import { applyLocalServiceEnv, kafkaBrokersVariable } from '../../../local/services/endpoints';
import { runName } from '../../support/unique-name';

applyLocalServiceEnv();
const bootstrapBrokers = (process.env[kafkaBrokersVariable] ?? '').split(',');
const topic = runName('events');
const group = runName('group');
const partitions = [0, 1];

describe('Kafka', () => {
  const admin = new Admin({ clientId: 'sluice-it', bootstrapBrokers });

  afterAll(async () => {
    await admin.deleteGroups({ groups: [group] }).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.close();
  });

  it('produces keyed records with headers and consumes them with manual commits', async () => {
    await admin.createTopics({ topics: [topic], partitions: partitions.length, replicas: 1 });

    const producer = new Producer({
      clientId: 'sluice-it',
      bootstrapBrokers,
      serializers: stringSerializers,
      idempotent: true, // a retried produce must not write a record twice
    });
    const sent = Array.from({ length: 20 }, (_, n) => ({
      topic,
      key: `k-${n % 4}`,
      value: JSON.stringify({ n }),
      headers: { ce_type: 'TEST', ce_id: `id-${n}` },
    }));
    await producer.send({ messages: sent });
    await producer.close();

    const consumer = new Consumer({
      groupId: group,
      clientId: 'sluice-it',
      bootstrapBrokers,
      deserializers: stringDeserializers,
      maxWaitTime: 500,
    });
    try {
      const stream = await consumer.consume({
        topics: [topic],
        mode: 'earliest',
        autocommit: false,
      });
      const received: Array<{ key: string; n: number; id: string | undefined }> = [];
      for await (const message of stream) {
        received.push({
          key: message.key,
          n: (JSON.parse(message.value) as { n: number }).n,
          id: message.headers.get('ce_id'),
        });
        await message.commit(); // commits offset + 1 for this record's partition
        if (received.length === sent.length) break;
      }
      await stream.close();

      expect(received.map((r) => r.n).sort((a, b) => a - b)).toEqual(sent.map((_, n) => n));
      expect(received.every((r) => r.id === `id-${r.n}` && r.key === `k-${r.n % 4}`)).toBe(true);

      // The group's committed offsets reach each partition's end, and the ends add up to what
      // was sent: every record was written exactly once.
      const ends = await consumer.listOffsets({ topics: [topic] });
      const committed = await consumer.listCommittedOffsets({
        topics: [{ topic, partitions }],
      });
      expect(committed.get(topic)).toEqual(ends.get(topic));
      const total = (ends.get(topic) ?? []).reduce((sum, end) => sum + end, 0n);
      expect(total).toBe(BigInt(sent.length));
    } finally {
      await consumer.close(true);
    }
  });
});
