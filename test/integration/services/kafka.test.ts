/**
 * Kafka 4 (KRaft) through @platformatic/kafka, the client Sluice uses: create a topic,
 * produce keyed records with headers, consume them back in a consumer group.
 */
import {
  Admin,
  Consumer,
  Producer,
  stringDeserializers,
  stringSerializers,
} from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { applyLocalServiceEnv, kafkaBrokersVariable } from '../../../local/services/endpoints';

applyLocalServiceEnv();
const bootstrapBrokers = (process.env[kafkaBrokersVariable] as string).split(',');

describe('Kafka', () => {
  it('produces and consumes keyed records with headers in a consumer group', async () => {
    const topic = `sluice-it-${Date.now().toString(36)}`;
    const admin = new Admin({ clientId: 'sluice-it', bootstrapBrokers });
    await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
    await admin.close();

    const producer = new Producer({
      clientId: 'sluice-it',
      bootstrapBrokers,
      serializers: stringSerializers,
    });
    const sent = Array.from({ length: 20 }, (_, n) => ({
      topic,
      key: `k-${n % 4}`,
      value: JSON.stringify({ n }),
      headers: { ce_type: 'TEST' },
    }));
    await producer.send({ messages: sent });
    await producer.close();

    const consumer = new Consumer({
      groupId: `${topic}-group`,
      clientId: 'sluice-it',
      bootstrapBrokers,
      deserializers: stringDeserializers,
    });
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    const received: Array<{ key: string; n: number; type: string | undefined }> = [];
    for await (const message of stream) {
      received.push({
        key: message.key,
        n: (JSON.parse(message.value) as { n: number }).n,
        type: message.headers.get('ce_type'),
      });
      await message.commit();
      if (received.length === sent.length) break;
    }
    await stream.close();
    await consumer.close(true);

    expect(received.map((r) => r.n).sort((a, b) => a - b)).toEqual(sent.map((_, n) => n));
    expect(received.every((r) => r.type === 'TEST' && r.key === `k-${r.n % 4}`)).toBe(true);
  });
});
