/**
 * How far a consumer group has come on its topics, read from the broker itself: the
 * group's committed offsets against each partition's end offset. The dev summary and the
 * end-to-end tests use it, so "consumed" means committed, not what the emulation counted.
 */
import type { Admin } from '@platformatic/kafka';

export interface TopicLag {
  readonly topic: string;
  /** Records the group has committed past, summed over partitions. */
  readonly committed: number;
  /** Records in the topic (end offsets), summed over partitions. */
  readonly end: number;
  readonly lag: number;
}

/** The end offset Kafka's ListOffsets returns for the "latest" timestamp. */
const LATEST = -1n;

/**
 * @example
 * ```ts
 * const [catalog] = await consumerLag(admin, 'sluice-dev-router', [{ topic: 'catalog.events', partitions: 6 }]);
 * catalog?.lag; // 0 when the router has caught up
 * ```
 */
export async function consumerLag(
  admin: Admin,
  groupId: string,
  topics: ReadonlyArray<{ topic: string; partitions: number }>,
): Promise<TopicLag[]> {
  const [ends, groups] = await Promise.all([
    admin.listOffsets({
      topics: topics.map(({ topic, partitions }) => ({
        name: topic,
        partitions: Array.from({ length: partitions }, (_, partitionIndex) => ({
          partitionIndex,
          timestamp: LATEST,
        })),
      })),
    }),
    admin.listConsumerGroupOffsets({ groups: [groupId] }),
  ]);
  const committedByTopic = new Map<string, number>();
  for (const topic of groups[0]?.topics ?? []) {
    let sum = 0;
    // A partition the group never committed reports -1.
    for (const p of topic.partitions) if (p.committedOffset > 0n) sum += Number(p.committedOffset);
    committedByTopic.set(topic.name, sum);
  }
  return topics.map(({ topic }) => {
    const listed = ends.find((t) => t.name === topic);
    const end = (listed?.partitions ?? []).reduce((sum, p) => sum + Number(p.offset), 0);
    const committed = committedByTopic.get(topic) ?? 0;
    return { topic, committed, end, lag: Math.max(0, end - committed) };
  });
}
