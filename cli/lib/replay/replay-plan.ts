/**
 * Which offsets a local replay reads, per partition: from the `--from` position (an offset,
 * or the first record at or after a timestamp, found with ListOffsets) up to, not
 * including, the `--to` position or the partition's end when the replay starts.
 */
import type { Admin } from '@platformatic/kafka';
import { CliError } from '../io';
import type { Position } from './positions';

export interface PartitionRange {
  readonly partition: number;
  /** First offset to replay. */
  readonly start: bigint;
  /** First offset not to replay. */
  readonly end: bigint;
}

export interface ReplayPlan {
  readonly topic: string;
  /** Every partition of the topic; excluded ones have start = end. */
  readonly partitions: PartitionRange[];
  /** Records to replay (offsets in range; fewer if the log has gaps). */
  readonly total: number;
}

/** ListOffsets' special timestamps. */
const LATEST = -1n;
const EARLIEST = -2n;

/**
 * @example
 * ```ts
 * const plan = await planReplay(admin, 'orders.events', { kind: 'offset', offset: 10n });
 * ```
 */
export async function planReplay(
  admin: Admin,
  topic: string,
  from: Position,
  to?: Position,
  onlyPartition?: number,
): Promise<ReplayPlan> {
  const metadata = await admin.metadata({ topics: [topic] }).catch((error: unknown) => {
    throw new CliError(`Topic ${topic}: ${(error as Error).message}`);
  });
  const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
  if (count === 0) throw new CliError(`Topic ${topic} does not exist or has no partitions`);
  if (onlyPartition !== undefined && onlyPartition >= count) {
    throw new CliError(
      `Topic ${topic} has ${count} partitions; there is no partition ${onlyPartition}`,
    );
  }
  const partitions = Array.from({ length: count }, (_, p) => p);
  const [earliest, latest, fromTime, toTime] = await Promise.all([
    offsetsAt(admin, topic, partitions, EARLIEST),
    offsetsAt(admin, topic, partitions, LATEST),
    from.kind === 'timestamp'
      ? offsetsAt(admin, topic, partitions, BigInt(from.at.getTime()))
      : undefined,
    to?.kind === 'timestamp'
      ? offsetsAt(admin, topic, partitions, BigInt(to.at.getTime()))
      : undefined,
  ]);
  const ranges = partitions.map((partition): PartitionRange => {
    const first = earliest.get(partition) ?? 0n;
    const last = latest.get(partition) ?? 0n;
    const clamp = (o: bigint) => (o < first ? first : o > last ? last : o);
    // ListOffsets answers -1 when no record is at or after the timestamp: nothing there.
    const atTime = (found: Map<number, bigint> | undefined) => {
      const o = found?.get(partition) ?? -1n;
      return o < 0n ? last : o;
    };
    const start = clamp(from.kind === 'offset' ? from.offset : atTime(fromTime));
    let end = last;
    if (to?.kind === 'offset') end = clamp(to.offset + 1n);
    if (to?.kind === 'timestamp') end = clamp(atTime(toTime));
    if (onlyPartition !== undefined && partition !== onlyPartition)
      return { partition, start: last, end: last };
    return { partition, start, end: end < start ? start : end };
  });
  const total = ranges.reduce((sum, r) => sum + Number(r.end - r.start), 0);
  return { topic, partitions: ranges, total };
}

async function offsetsAt(
  admin: Admin,
  topic: string,
  partitions: readonly number[],
  timestamp: bigint,
): Promise<Map<number, bigint>> {
  const listed = await admin.listOffsets({
    topics: [
      {
        name: topic,
        partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })),
      },
    ],
  });
  const result = new Map<number, bigint>();
  for (const p of listed.find((t) => t.name === topic)?.partitions ?? []) {
    result.set(p.partitionIndex, p.offset);
  }
  return result;
}
