/**
 * Converts Kafka records consumed with @platformatic/kafka into the event an MSK event source
 * mapping delivers to Lambda (`MSKEvent`): records grouped under "<topic>-<partition>", key
 * and value base64, headers as one-entry objects of byte arrays, in record order.
 *
 * Typed against a structural subset of a consumed message, so the ops CLI (`sluice replay`)
 * and the local event-source emulation share it without depending on each other.
 */
import type { MSKEvent, MSKRecord } from 'aws-lambda';

/** What this module needs of a consumed Kafka message; @platformatic/kafka's `Message` fits. */
export interface ConsumedKafkaMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** Milliseconds since the epoch. */
  readonly timestamp: bigint;
  /** Absent or null for a keyless record. */
  readonly key?: Buffer | null;
  /** Absent or null for a tombstone. */
  readonly value?: Buffer | null;
  /** In record order; a Map keyed by Buffer keeps repeated header names apart. */
  readonly headers: ReadonlyMap<Buffer | string, Buffer | string | null | undefined>;
  /**
   * The topic's timestamp type. @platformatic/kafka does not expose it; CREATE_TIME (Kafka's
   * default `message.timestamp.type`) is assumed when absent.
   */
  readonly timestampType?: MSKRecord['timestampType'];
}

/**
 * One record as Lambda delivers it. Lambda's types declare `key` and `value` always present;
 * for keyless records and tombstones this emulation leaves them out (a guess, see README).
 */
export type MskEventRecord = Omit<MSKRecord, 'key' | 'value'> & { key?: string; value?: string };

/** The MSK event with {@link MskEventRecord}s. */
export type MskEvent = Omit<MSKEvent, 'records'> & { records: Record<string, MskEventRecord[]> };

export interface MskEventSource {
  /** The cluster ARN Lambda would put in `eventSourceArn`. */
  readonly eventSourceArn: string;
  /** Broker addresses; joined with commas as in `bootstrapServers`. */
  readonly bootstrapServers: string | readonly string[];
}

/**
 * The Lambda record for one consumed message.
 *
 * @example
 * ```ts
 * const record = mskRecordFrom({
 *   topic: 'orders.events', partition: 2, offset: 41n, timestamp: 1700000000000n,
 *   key: Buffer.from('order-1'), value: Buffer.from('{}'), headers: new Map(),
 * });
 * record.key; // 'b3JkZXItMQ=='
 * ```
 */
export function mskRecordFrom(message: ConsumedKafkaMessage): MskEventRecord {
  const record: MskEventRecord = {
    topic: message.topic,
    partition: message.partition,
    offset: safeNumber(message.offset, 'offset'),
    timestamp: safeNumber(message.timestamp, 'timestamp'),
    timestampType: message.timestampType ?? 'CREATE_TIME',
    headers: headersFrom(message.headers),
  };
  if (message.key !== undefined && message.key !== null) record.key = base64(message.key);
  if (message.value !== undefined && message.value !== null) record.value = base64(message.value);
  return record;
}

/**
 * The Lambda event for a batch of consumed messages, possibly from several partitions and
 * topics. Partitions appear in topic then partition order, records by ascending offset.
 *
 * @example
 * ```ts
 * const event = mskEventFrom(messages, {
 *   eventSourceArn: 'arn:aws:kafka:us-east-1:000000000000:cluster/local/sluice',
 *   bootstrapServers: ['127.0.0.1:9092'],
 * });
 * await handler(event);
 * ```
 */
export function mskEventFrom(
  messages: Iterable<ConsumedKafkaMessage>,
  source: MskEventSource,
): MskEvent {
  const byPartition = new Map<
    string,
    { topic: string; partition: number; records: MskEventRecord[] }
  >();
  for (const message of messages) {
    const key = mskPartitionKey(message.topic, message.partition);
    let group = byPartition.get(key);
    if (!group) {
      group = { topic: message.topic, partition: message.partition, records: [] };
      byPartition.set(key, group);
    }
    group.records.push(mskRecordFrom(message));
  }
  const groups = [...byPartition.entries()].sort(([, a], [, b]) =>
    a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition,
  );
  const records: Record<string, MskEventRecord[]> = {};
  for (const [key, group] of groups) {
    records[key] = group.records.sort((a, b) => a.offset - b.offset);
  }
  const servers = source.bootstrapServers;
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: source.eventSourceArn,
    bootstrapServers: typeof servers === 'string' ? servers : servers.join(','),
    records,
  };
}

/** The "<topic>-<partition>" key Lambda uses in events and in batch item failures. */
export function mskPartitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

function headersFrom(headers: ConsumedKafkaMessage['headers']): MSKRecord['headers'] {
  const list: MSKRecord['headers'] = [];
  for (const [name, value] of headers) {
    const text = typeof name === 'string' ? name : name.toString('utf8');
    // A header with a null value: Lambda's behaviour is undocumented; an empty array keeps the name.
    const bytes = value === undefined || value === null ? [] : [...bytesOf(value)];
    list.push({ [text]: bytes });
  }
  return list;
}

function bytesOf(value: Buffer | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

function base64(bytes: Buffer): string {
  return bytes.toString('base64');
}

function safeNumber(value: bigint, field: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) {
    throw new RangeError(`Kafka ${field} ${value} does not fit a JSON number exactly`);
  }
  return number;
}
