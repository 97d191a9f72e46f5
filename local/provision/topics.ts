/**
 * Creates the Kafka topics of the topology (TOPICS, with their partition counts) on the
 * local broker. Idempotent: topics that exist are left as they are — also one that was created
 * a moment ago and is not listed yet, or by another process at the same time. Tests pass
 * `topicName` to create per-run topics with the same shape.
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
      try {
        await admin.createTopics({ topics: [name], partitions: topic.partitions, replicas: 1 });
      } catch (error) {
        if (!onlyAlreadyExists(error)) throw error;
      }
    }
    return names;
  } finally {
    await admin.close();
  }
}

/** True when every error in a CreateTopics response is TOPIC_ALREADY_EXISTS. */
function onlyAlreadyExists(error: unknown): boolean {
  const errors = (error as { errors?: Array<{ apiId?: string }> } | null)?.errors;
  return (
    Array.isArray(errors) &&
    errors.length > 0 &&
    errors.every((e) => e.apiId === 'TOPIC_ALREADY_EXISTS')
  );
}
