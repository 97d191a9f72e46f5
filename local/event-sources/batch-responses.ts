/**
 * Reading a handler's partial batch response the way an event source mapping with
 * ReportBatchItemFailures does. Lambda treats a response it cannot use — not an object, a
 * failure without an identifier, an identifier that is not in the batch — as a failure of
 * the whole batch; so do these functions (they return `undefined` then).
 */
import { mskPartitionKey } from './msk-event';

/** Per "<topic>-<partition>", the first offset to deliver again; every offset before it succeeded. */
export type KafkaResumeOffsets = Map<string, number>;

/**
 * The Kafka partial batch response (`{ batchItemFailures: [{ itemIdentifier: { partition,
 * offset } }] }`) as resume offsets, checked against the batch that was delivered.
 *
 * @param batch the delivered records' topic, partition and offset
 * @returns the lowest failed offset per partition (empty map: all succeeded), or `undefined`
 *   when the response is unusable and the whole batch counts as failed
 * @example
 * ```ts
 * kafkaResumeOffsets({ batchItemFailures: [{ itemIdentifier: { partition: 't-0', offset: 5 } }] }, batch);
 * // Map { 't-0' => 5 }
 * ```
 */
export function kafkaResumeOffsets(
  response: unknown,
  batch: Iterable<{ topic: string; partition: number; offset: bigint | number }>,
): KafkaResumeOffsets | undefined {
  // An empty or missing response means "all succeeded", as for SQS.
  if (response === undefined || response === null) return new Map();
  const failures = batchItemFailures(response);
  if (failures === undefined) return undefined;
  const delivered = new Map<string, Set<number>>();
  for (const record of batch) {
    const key = mskPartitionKey(record.topic, record.partition);
    const offsets = delivered.get(key) ?? new Set<number>();
    offsets.add(Number(record.offset));
    delivered.set(key, offsets);
  }
  const resume: KafkaResumeOffsets = new Map();
  for (const failure of failures) {
    const identifier = isObject(failure) ? failure.itemIdentifier : undefined;
    if (!isObject(identifier)) return undefined;
    const { partition, offset } = identifier;
    const offsetNumber = typeof offset === 'string' ? Number(offset) : offset;
    if (typeof partition !== 'string' || typeof offsetNumber !== 'number') return undefined;
    if (!delivered.get(partition)?.has(offsetNumber)) return undefined;
    const current = resume.get(partition);
    if (current === undefined || offsetNumber < current) resume.set(partition, offsetNumber);
  }
  return resume;
}

/**
 * The SQS partial batch response (`{ batchItemFailures: [{ itemIdentifier: messageId }] }`)
 * as the set of message ids to leave on the queue.
 *
 * @returns the failed message ids (empty: delete all), or `undefined` when the response is
 *   unusable and the whole batch counts as failed
 * @example
 * ```ts
 * sqsFailedMessageIds({ batchItemFailures: [{ itemIdentifier: 'm-2' }] }, ['m-1', 'm-2']);
 * // Set { 'm-2' }
 * ```
 */
export function sqsFailedMessageIds(
  response: unknown,
  messageIds: Iterable<string>,
): Set<string> | undefined {
  if (response === undefined || response === null) return new Set();
  const failures = batchItemFailures(response);
  if (failures === undefined) return undefined;
  const delivered = new Set(messageIds);
  const failed = new Set<string>();
  for (const failure of failures) {
    const identifier = isObject(failure) ? failure.itemIdentifier : undefined;
    if (typeof identifier !== 'string' || !delivered.has(identifier)) return undefined;
    failed.add(identifier);
  }
  return failed;
}

/** The `batchItemFailures` array; a response without one counts as complete success. */
function batchItemFailures(response: unknown): unknown[] | undefined {
  if (!isObject(response)) return undefined;
  const failures = response.batchItemFailures;
  if (failures === undefined || failures === null) return [];
  return Array.isArray(failures) ? failures : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
