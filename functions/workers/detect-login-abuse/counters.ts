/**
 * Failed-login counters: one item per subject (account or IP address) and window in the
 * abuse-counters table, incremented atomically with UpdateItem ADD, which returns the new
 * count in the same call. Items expire through the table's TTL a day after their window,
 * so late events of a recent window still add up.
 */
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { type Item, num, readNum, str } from '../../jobs/dynamo-attributes';
import { TransientError } from '../../shared/errors';
import { classifyAwsErrorWithThrottling } from '../../shared/throttling';
import { TABLES } from '../../topology/topology';
import type { CountingWindow } from './windows';

/** What is counted: failures per account and failures per source address. */
export type SubjectKind = 'account' | 'ip';

export interface Subject {
  readonly kind: SubjectKind;
  /** The account id, or the IP address in lower case. */
  readonly value: string;
}

/** How long a counter outlives its window. */
export const COUNTER_RETENTION_SECONDS = 86_400;

const KEY = TABLES.abuseCounters.partitionKey;
const TTL = TABLES.abuseCounters.ttl;

/**
 * The counter item's key. The subject is URI-encoded so it cannot run into the separators.
 *
 * @example
 * ```ts
 * counterIdOf({ kind: 'ip', value: '203.0.113.9' }, window); // 'ip#203.0.113.9#2026-11-28T10:05:00.000Z'
 * ```
 */
export function counterIdOf(subject: Subject, window: CountingWindow): string {
  return `${subject.kind}#${encodeURIComponent(subject.value)}#${window.start}`;
}

/**
 * Adds one failure for `subject` in `window` and returns the window's count so far.
 *
 * @throws ThrottledError or TransientError (retry), PermanentError (dead-letter).
 * @example
 * ```ts
 * const count = await countFailure(dynamodb, table, { kind: 'account', value: 'acc-1' }, window);
 * ```
 */
export async function countFailure(
  dynamodb: DynamoDBClient,
  table: string,
  subject: Subject,
  window: CountingWindow,
): Promise<number> {
  const counterId = counterIdOf(subject, window);
  const update = new UpdateItemCommand({
    TableName: table,
    Key: { [KEY]: str(counterId) },
    UpdateExpression:
      'ADD #count :one SET #kind = :kind, #subject = :subject, #windowStart = :start, #ttl = :ttl',
    ExpressionAttributeNames: {
      '#count': 'count',
      '#kind': 'kind',
      '#subject': 'subject',
      '#windowStart': 'windowStart',
      '#ttl': TTL,
    },
    ExpressionAttributeValues: {
      ':one': num(1),
      ':kind': str(subject.kind),
      ':subject': str(subject.value),
      ':start': str(window.start),
      ':ttl': num(window.endSeconds + COUNTER_RETENTION_SECONDS),
    },
    ReturnValues: 'UPDATED_NEW',
  });
  let attributes: Item;
  try {
    attributes = (await dynamodb.send(update)).Attributes ?? {};
  } catch (error) {
    throw classifyAwsErrorWithThrottling(error, `count failure ${counterId}`);
  }
  const count = readNum(attributes, 'count');
  // UPDATED_NEW always carries the attribute the update ADDed; anything else is a bad reply.
  if (count === undefined) throw new TransientError(`No count returned for ${counterId}`);
  return count;
}
