/**
 * Job records for troubleshooting: one item per job id in the job-records table, with its
 * state, attempts, last error and failure history, expiring by TTL. Queryable by job id
 * (the key) and by job type and state (the `jobTypeState` index, newest first).
 *
 * The runtime writes whole items (it knows the full state), so every write is one PutItem.
 */
import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import type { FailureEntry } from '../../queues/dead-letter';
import {
  epochSeconds,
  type Item,
  num,
  readNum,
  readStr,
  str,
} from '../../shared/dynamo-attributes';
import { TABLES } from '../../topology/topology';

export type JobState =
  | 'executing'
  | 'retryable'
  | 'completed'
  | 'discarded'
  | 'dead'
  /** Re-sent with a delay by the job itself; not a failure. */
  | 'snoozed';

export interface JobRecord {
  jobId: string;
  job: string;
  state: JobState;
  /** Attempts counted for the message `messageId`, including a running one. */
  attempts: number;
  maxAttempts: number;
  /** The SQS message these attempts belong to: a new message (replay, snooze) starts afresh. */
  messageId: string;
  eventId?: string;
  eventType?: string;
  lastError?: { class: string; message: string };
  /** Why the job was discarded or dead-lettered. */
  reason?: string;
  firstFailedAt?: string;
  lastFailedAt?: string;
  /** Failures, oldest first, bounded to the last {@link MAX_HISTORY}. */
  history: FailureEntry[];
  updatedAt: string;
}

/** Failures kept per record and per dead letter. */
export const MAX_HISTORY = 20;

const INDEX = TABLES.jobRecords.indexes[0].name;

/**
 * @example
 * ```ts
 * const records = new JobRecords(dynamodb, 'sluice-dev-job-records', 30 * 86_400);
 * await records.put({ ...record, state: 'retryable' });
 * const dead = await records.byState('sync-customer', 'dead');
 * ```
 */
export class JobRecords {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly table: string,
    private readonly ttlSeconds: number,
  ) {}

  async get(jobId: string): Promise<JobRecord | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { jobId: str(jobId) },
        ConsistentRead: true,
      }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async put(record: JobRecord): Promise<void> {
    const expiresAt = epochSeconds(new Date(record.updatedAt)) + this.ttlSeconds;
    await this.dynamodb.send(
      new PutItemCommand({ TableName: this.table, Item: toItem(record, expiresAt) }),
    );
  }

  /** Records of one job type in one state, newest first (eventually consistent). */
  async byState(job: string, state: JobState, limit = 100): Promise<JobRecord[]> {
    const { Items = [] } = await this.dynamodb.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: INDEX,
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': 'jobTypeState' },
        ExpressionAttributeValues: { ':p': str(`${job}#${state}`) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map(fromItem);
  }
}

function toItem(r: JobRecord, expiresAt: number): Item {
  const item: Item = {
    jobId: str(r.jobId),
    job: str(r.job),
    state: str(r.state),
    jobTypeState: str(`${r.job}#${r.state}`),
    attempts: num(r.attempts),
    maxAttempts: num(r.maxAttempts),
    messageId: str(r.messageId),
    updatedAt: str(r.updatedAt),
    expiresAt: num(expiresAt),
    // History as JSON: read back whole, never queried by field.
    history: str(JSON.stringify(r.history.slice(-MAX_HISTORY))),
  };
  const optional: Array<[string, string | undefined]> = [
    ['eventId', r.eventId],
    ['eventType', r.eventType],
    ['lastErrorClass', r.lastError?.class],
    ['lastErrorMessage', r.lastError?.message],
    ['reason', r.reason],
    ['firstFailedAt', r.firstFailedAt],
    ['lastFailedAt', r.lastFailedAt],
  ];
  for (const [name, value] of optional) if (value !== undefined) item[name] = str(value);
  return item;
}

function fromItem(item: Item): JobRecord {
  const errorClass = readStr(item, 'lastErrorClass');
  const history = readStr(item, 'history');
  return {
    jobId: readStr(item, 'jobId') ?? '',
    job: readStr(item, 'job') ?? '',
    state: (readStr(item, 'state') ?? 'retryable') as JobState,
    attempts: readNum(item, 'attempts') ?? 0,
    maxAttempts: readNum(item, 'maxAttempts') ?? 0,
    messageId: readStr(item, 'messageId') ?? '',
    eventId: readStr(item, 'eventId'),
    eventType: readStr(item, 'eventType'),
    lastError:
      errorClass === undefined
        ? undefined
        : { class: errorClass, message: readStr(item, 'lastErrorMessage') ?? '' },
    reason: readStr(item, 'reason'),
    firstFailedAt: readStr(item, 'firstFailedAt'),
    lastFailedAt: readStr(item, 'lastFailedAt'),
    history: history ? (JSON.parse(history) as FailureEntry[]) : [],
    updatedAt: readStr(item, 'updatedAt') ?? '',
  };
}
