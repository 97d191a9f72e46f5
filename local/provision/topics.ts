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
      await createTopic(admin, name, topic.partitions);
    }
    return names;
  } finally {
    await admin.close();
  }
}

/**
 * Creates one topic; one that exists already is fine. A retriable answer (REQUEST_TIMED_OUT
 * from a busy controller, which may still create the topic, or NOT_CONTROLLER) is asked again
 * a few times; anything else fails naming the topic and Kafka's error codes.
 */
async function createTopic(admin: Admin, name: string, partitions: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.createTopics({ topics: [name], partitions, replicas: 1 });
      return;
    } catch (error) {
      const errors = protocolErrors(error);
      // One topic per request: any answer that it exists (perhaps on the client's own retry of
      // a timed-out request the controller still carried out) means it is there.
      if (errors.some((e) => e.apiId === 'TOPIC_ALREADY_EXISTS')) return;
      if (attempt < 5 && errors.length > 0 && errors.every((e) => e.canRetry === true)) {
        await new Promise((resolve) => setTimeout(resolve, attempt * 500));
        continue;
      }
      const codes = errors.map(
        (e) => `${e.apiId}${e.serverErrorMessage ? ` (${e.serverErrorMessage})` : ''}`,
      );
      throw new Error(`could not create topic ${name}: ${codes.join(', ') || String(error)}`, {
        cause: error,
      });
    }
  }
}

export interface KafkaProtocolError {
  readonly apiId?: string;
  readonly canRetry?: boolean;
  readonly serverErrorMessage?: string | null;
}

/**
 * The per-topic protocol errors of a Kafka response error, however deep: the client retries
 * by itself and then wraps each attempt's response error in one more error list.
 */
export function protocolErrors(error: unknown): KafkaProtocolError[] {
  const errors = (error as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) {
    return typeof (error as KafkaProtocolError | null)?.apiId === 'string'
      ? [error as KafkaProtocolError]
      : [];
  }
  return errors.flatMap((inner) => protocolErrors(inner));
}
