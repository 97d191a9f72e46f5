/**
 * Suspicion records: at most one per subject and window, in the abuse-counters table
 * beside the counters (key `suspicion#<id>`). The first run whose count reaches the
 * threshold writes it with a conditional put; every later run (a concurrent job, a retry,
 * a redrive) gets the stored record back instead — from the failed condition itself — and
 * indexes *that* record, so the security index receives exactly one document per window
 * whatever happens in between. `indexed` is set once the document is in the index, so runs
 * after that skip the index call.
 */
import { createHash } from 'node:crypto';
import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type Item, isConditionFailed, num, readStr, str } from '../../shared/dynamo-attributes';
import { PermanentError } from '../../shared/errors';
import { classifyAwsErrorWithThrottling } from '../../shared/throttling';
import { TABLES } from '../../topology/topology';
import type { Subject, SubjectKind } from './counters';
import type { CountingWindow } from './windows';

/** The document indexed into the security index. */
export interface Suspicion {
  /** Deterministic per subject and window: the record's key and the document id. */
  readonly suspicionId: string;
  readonly kind: SubjectKind;
  /** The account id or IP address. */
  readonly subject: string;
  readonly windowStart: string;
  readonly windowEnd: string;
  readonly threshold: number;
  /**
   * The window's count when the suspicion was recorded: at or above the threshold (jobs of
   * the window running side by side may all have counted by then).
   */
  readonly failures: number;
  /** Event time of the failure whose job recorded the suspicion (one at or over the threshold). */
  readonly detectedAt: string;
  /** When Sluice flagged it. */
  readonly flaggedAt: string;
  /** The failure whose job recorded the suspicion. */
  readonly eventId: string;
  readonly accountId: string;
  readonly email: string;
  readonly ip: string;
  readonly userAgent: string;
  readonly reason?: string;
}

/** A suspicion as stored, with whether its document is known to be in the index. */
export interface StoredSuspicion {
  readonly suspicion: Suspicion;
  readonly indexed: boolean;
  /** True when this run wrote the record (the first to cross the threshold). */
  readonly created: boolean;
}

/**
 * Suspicion records outlive their window's counters (a day after the window or its latest
 * late event), so no window can be flagged twice — unless events of it keep arriving for
 * four weeks after it was flagged.
 */
export const SUSPICION_RETENTION_SECONDS = 30 * 86_400;

const KEY = TABLES.abuseCounters.partitionKey;
const TTL = TABLES.abuseCounters.ttl;

/**
 * The suspicion id of a subject in a window: a hash, so the document id stays short for
 * any account id.
 *
 * @example
 * ```ts
 * suspicionIdOf({ kind: 'ip', value: '203.0.113.9' }, window); // 32 hex characters
 * ```
 */
export function suspicionIdOf(subject: Subject, window: CountingWindow): string {
  return createHash('sha256')
    .update(`${subject.kind}\n${subject.value}\n${window.start}`)
    .digest('hex')
    .slice(0, 32);
}

const recordKey = (suspicionId: string): Item => ({ [KEY]: str(`suspicion#${suspicionId}`) });

function fromItem(item: Item): Omit<StoredSuspicion, 'created'> {
  const json = readStr(item, 'suspicion');
  if (json === undefined)
    throw new PermanentError(`Suspicion record without a body: ${item[KEY]?.S}`);
  return { suspicion: JSON.parse(json) as Suspicion, indexed: item.indexed?.BOOL === true };
}

/**
 * The stored record of a suspicion, if any (eventually consistent: a miss only costs the
 * conditional put that follows).
 */
export async function readSuspicion(
  dynamodb: DynamoDBClient,
  table: string,
  suspicionId: string,
): Promise<StoredSuspicion | undefined> {
  try {
    const { Item: item } = await dynamodb.send(
      new GetItemCommand({ TableName: table, Key: recordKey(suspicionId) }),
    );
    return item && { ...fromItem(item), created: false };
  } catch (error) {
    if (error instanceof PermanentError) throw error;
    throw classifyAwsErrorWithThrottling(error, `read suspicion ${suspicionId}`);
  }
}

/**
 * Writes `suspicion` unless its window already has one, and returns the record that is
 * stored now: this one (`created`) or the earlier one.
 *
 * @example
 * ```ts
 * const stored = await recordSuspicion(dynamodb, table, suspicion, window);
 * if (!stored.indexed) await indexSuspicion(search, index, stored.suspicion);
 * ```
 */
export async function recordSuspicion(
  dynamodb: DynamoDBClient,
  table: string,
  suspicion: Suspicion,
  window: CountingWindow,
): Promise<StoredSuspicion> {
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          ...recordKey(suspicion.suspicionId),
          kind: str(suspicion.kind),
          subject: str(suspicion.subject),
          windowStart: str(suspicion.windowStart),
          suspicion: str(JSON.stringify(suspicion)),
          indexed: { BOOL: false },
          [TTL]: num(window.endSeconds + SUSPICION_RETENTION_SECONDS),
        },
        ConditionExpression: 'attribute_not_exists(#key)',
        ExpressionAttributeNames: { '#key': KEY },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { suspicion, indexed: false, created: true };
  } catch (error) {
    const old = (error as { Item?: Item }).Item;
    if (isConditionFailed(error) && old) return { ...fromItem(old), created: false };
    throw classifyAwsErrorWithThrottling(error, `record suspicion ${suspicion.suspicionId}`);
  }
}

/** Notes that the suspicion's document is in the security index. */
export async function markIndexed(
  dynamodb: DynamoDBClient,
  table: string,
  suspicionId: string,
  at: Date,
): Promise<void> {
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: recordKey(suspicionId),
        UpdateExpression: 'SET #indexed = :true, #indexedAt = :at',
        ConditionExpression: 'attribute_exists(#key)',
        ExpressionAttributeNames: { '#indexed': 'indexed', '#indexedAt': 'indexedAt', '#key': KEY },
        ExpressionAttributeValues: { ':true': { BOOL: true }, ':at': str(at.toISOString()) },
      }),
    );
  } catch (error) {
    // The record is gone (expired): the document is indexed all the same, nothing to note.
    if (isConditionFailed(error)) return;
    throw classifyAwsErrorWithThrottling(error, `mark suspicion ${suspicionId} indexed`);
  }
}
