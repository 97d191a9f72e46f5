/**
 * The dead-letter ledger: which ingest dead letters SQS has already accepted, so a batch
 * Lambda delivers again (on-demand mode: the whole batch; provisioned mode: from the first
 * reported offset) does not send them twice. SQS standard queues have no deduplication and
 * batch entry ids are only unique within one call, so the router keeps this record itself.
 *
 * Each dead letter has a deterministic id ({@link ingestDeadLetterId}); the router looks its
 * ids up before sending and records the ones SQS accepted right after. Only dead-lettered
 * records pay for it: one BatchGetItem per 100 and one BatchWriteItem per 25, in the
 * idempotency table under the key `ingest-dead-letter#<id>`, expiring after a TTL.
 *
 * Residual windows: an invocation that ends (timeout, crash) after SQS accepted a dead
 * letter but before its id was recorded, or a record write that keeps failing, sends that
 * dead letter once more if Lambda delivers the batch again.
 */
import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { classifyAwsError } from '../shared/aws-errors';
import { type BackoffPolicy, fullJitterDelay, sleep } from '../shared/backoff';
import { PermanentError } from '../shared/errors';

/** What the ledger knows of a list of ids. */
export interface LedgerLookup {
  /** Dead letters SQS accepted before: not to be sent again. */
  readonly sent: ReadonlySet<string>;
  /** Ids the ledger could not be asked about in time: not to be sent now either. */
  readonly unknown: ReadonlySet<string>;
}

export interface DeadLetterLedger {
  /**
   * Looks ids up.
   *
   * @throws PermanentError when the ledger cannot be read for a reason no retry fixes
   * (access denied, table missing): a configuration fault.
   */
  lookup(ids: readonly string[]): Promise<LedgerLookup>;
  /** Records ids as sent; returns the ids it could not record. Never throws. */
  record(ids: readonly string[], at: Date): Promise<string[]>;
}

/**
 * The id of the dead letter of a Kafka record under one version of the code: its
 * coordinates and the code version. Lambda's retries of a batch give the same id, so the
 * ledger suppresses the second send; the same record failing under other code (a deployment
 * between retries, a replay from Kafka after a fix) gets a dead letter of its own.
 *
 * @example
 * ```ts
 * ingestDeadLetterId({ topic: 'orders.events', partition: 3, offset: 42 }, 'abc123');
 * // 32 hex characters
 * ```
 */
export function ingestDeadLetterId(
  record: { topic: string; partition: number; offset: number },
  codeVersion: string,
): string {
  const text = JSON.stringify([record.topic, record.partition, record.offset, codeVersion]);
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * A ledger in memory: for a run that must not resend its own dead letters but keeps no
 * state beyond itself (`sluice replay` from Kafka, tests).
 *
 * @example
 * ```ts
 * const ledger = new MemoryDeadLetterLedger();
 * await ledger.record(['0f3a…'], new Date());
 * (await ledger.lookup(['0f3a…'])).sent.has('0f3a…'); // true
 * ```
 */
export class MemoryDeadLetterLedger implements DeadLetterLedger {
  readonly ids = new Set<string>();

  async lookup(ids: readonly string[]): Promise<LedgerLookup> {
    return { sent: new Set(ids.filter((id) => this.ids.has(id))), unknown: new Set() };
  }

  async record(ids: readonly string[]): Promise<string[]> {
    for (const id of ids) this.ids.add(id);
    return [];
  }
}

export interface DynamoLedgerOptions {
  readonly table: string;
  /** How long an id is kept: longer than Lambda may retry a batch (records' retention). */
  readonly ttlSeconds: number;
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  /** Calls in flight at once. */
  readonly concurrency: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const KEY_PREFIX = 'ingest-dead-letter#';
const GET_LIMIT = 100;
const WRITE_LIMIT = 25;

/**
 * The ledger in DynamoDB (the idempotency table).
 *
 * @example
 * ```ts
 * const ledger = new DynamoDeadLetterLedger(dynamodb, { table: 'sluice-prod-idempotency',
 *   ttlSeconds: 1_296_000, maxAttempts: 6, backoff: { baseMs: 100, capMs: 3_000 }, concurrency: 16 });
 * const { sent } = await ledger.lookup(ids);
 * ```
 */
export class DynamoDeadLetterLedger implements DeadLetterLedger {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly options: DynamoLedgerOptions,
  ) {}

  async lookup(ids: readonly string[]): Promise<LedgerLookup> {
    const sent = new Set<string>();
    const unknown = new Set<string>();
    await inParallel(chunks(ids, GET_LIMIT), this.options.concurrency, async (chunk) => {
      let keys = chunk.map((id) => ({ key: { S: KEY_PREFIX + id } }));
      for (let attempt = 1; attempt <= this.options.maxAttempts && keys.length > 0; attempt++) {
        if (attempt > 1) await this.pause(attempt);
        try {
          const response = await this.dynamodb.send(
            new BatchGetItemCommand({
              RequestItems: {
                [this.options.table]: {
                  Keys: keys,
                  ConsistentRead: true,
                  ProjectionExpression: '#k',
                  ExpressionAttributeNames: { '#k': 'key' },
                },
              },
            }),
          );
          for (const item of response.Responses?.[this.options.table] ?? []) {
            const key = item.key?.S;
            if (key?.startsWith(KEY_PREFIX)) sent.add(key.slice(KEY_PREFIX.length));
          }
          keys = (response.UnprocessedKeys?.[this.options.table]?.Keys ?? []) as typeof keys;
        } catch (error) {
          const classified = classifyAwsError(error, 'Reading the dead-letter ledger failed');
          if (classified instanceof PermanentError) throw classified;
        }
      }
      for (const { key } of keys) unknown.add((key.S ?? '').slice(KEY_PREFIX.length));
    });
    return { sent, unknown };
  }

  async record(ids: readonly string[], at: Date): Promise<string[]> {
    const unrecorded: string[] = [];
    const expiresAt = String(Math.floor(at.getTime() / 1000) + this.options.ttlSeconds);
    const recordedAt = at.toISOString();
    await inParallel(chunks(ids, WRITE_LIMIT), this.options.concurrency, async (chunk) => {
      let requests = chunk.map((id) => ({
        PutRequest: {
          Item: {
            key: { S: KEY_PREFIX + id },
            status: { S: 'DEAD_LETTERED' },
            expiresAt: { N: expiresAt },
            updatedAt: { S: recordedAt },
          } as Record<string, AttributeValue>,
        },
      }));
      for (let attempt = 1; attempt <= this.options.maxAttempts && requests.length > 0; attempt++) {
        if (attempt > 1) await this.pause(attempt);
        try {
          const response = await this.dynamodb.send(
            new BatchWriteItemCommand({ RequestItems: { [this.options.table]: requests } }),
          );
          requests = (response.UnprocessedItems?.[this.options.table] ?? []) as typeof requests;
        } catch (error) {
          const classified = classifyAwsError(error, 'Writing the dead-letter ledger failed');
          if (classified instanceof PermanentError) break;
        }
      }
      for (const request of requests) {
        unrecorded.push((request.PutRequest.Item.key?.S ?? '').slice(KEY_PREFIX.length));
      }
    });
    return unrecorded;
  }

  private pause(attempt: number): Promise<void> {
    return (this.options.sleep ?? sleep)(fullJitterDelay(this.options.backoff, attempt - 1));
  }
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) {
    result.push(items.slice(start, start + size));
  }
  return result;
}

/**
 * Runs `work` on every item with at most `limit` in flight; rejects with the first error
 * once every started item has settled.
 *
 * @example
 * ```ts
 * await inParallel(chunks, 16, (chunk) => send(chunk));
 * ```
 */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
