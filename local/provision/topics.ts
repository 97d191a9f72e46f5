/**
 * Creates the Kafka topics of the topology (TOPICS, with their partition counts) on the
 * local broker. Idempotent: topics that exist are left as they are. Tests pass `topicName`
 * to create per-run topics with the same shape.
 */
import { Admin } from '@platformatic/kafka';
import { TOPICS, type TopicKey } from '../../functions/topology/topology';

/**
 * @returns the topic name per topology key.
 * @example
 * ```ts
 * await provisionTopics(['127.0.0.1:9092']); // catalog.events, orders.events, …
 * ```
 */
export async function provisionTopics(
  bootstrapBrokers: readonly string[],
  topicName: (topic: TopicKey) => string = (topic) => TOPICS[topic].name,
): Promise<Map<TopicKey, string>> {
  const admin = new Admin({
    clientId: 'sluice-provision',
    bootstrapBrokers: [...bootstrapBrokers],
  });
  try {
    const existing = new Set(await admin.listTopics());
    const names = new Map<TopicKey, string>();
    for (const [key, topic] of Object.entries(TOPICS) as Array<
      [TopicKey, (typeof TOPICS)[TopicKey]]
    >) {
      const name = topicName(key);
      names.set(key, name);
      if (existing.has(name)) continue;
      await admin.createTopics({ topics: [name], partitions: topic.partitions, replicas: 1 });
    }
    return names;
  } finally {
    await admin.close();
  }
}
