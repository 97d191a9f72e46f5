/**
 * Duplicate suppression for jobs whose effect is not naturally idempotent. One item per job
 * id in the idempotency table:
 *
 * - a run claims the job with a conditional IN_PROGRESS put holding a lease; the condition
 *   `attribute_not_exists(key) OR expiresAt < now` lets a later run take over a claim whose
 *   holder timed out or crashed, so no job is ever stuck;
 * - success turns the item COMPLETED with a long TTL: true duplicates are suppressed;
 * - failure (or snooze, discard, dead-lettering) deletes the claim, so a retry or a replay
 *   after a fix runs the job again.
 *
 * One attribute, `expiresAt` (epoch seconds), is both the lease end and the table's TTL.
 */

import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  epochSeconds,
  type Item,
  isConditionFailed,
  num,
  readNum,
  readStr,
  str,
} from '../../shared/dynamo-attributes';

export type ClaimResult =
  /** This run owns the job until the lease ends. */
  | { status: 'claimed'; key: string; token: string }
  /** The job already succeeded: a true duplicate. */
  | { status: 'completed' }
  /** Another run holds a live lease; try again after it ends. */
  | { status: 'in-progress'; leaseEndsInSeconds: number };

export interface IdempotencyOptions {
  readonly table: string;
  /** Lease of a claim: longer than the function timeout, so a live run keeps its claim. */
  readonly leaseSeconds: number;
  /** How long a COMPLETED item suppresses duplicates. */
  readonly completedTtlSeconds: number;
}

/**
 * @example
 * ```ts
 * const store = new IdempotencyStore(dynamodb, { table, leaseSeconds: 70, completedTtlSeconds: 1_296_000 });
 * const claim = await store.claim(jobId, 'sync-customer', new Date());
 * if (claim.status === 'claimed') {
 *   try { await work(); await store.complete(claim, new Date()); }
 *   catch (error) { await store.release(claim); throw error; }
 * }
 * ```
 */
export class IdempotencyStore {
  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly options: IdempotencyOptions,
  ) {}

  /** Claims `key` for this run, or says why not. */
  async claim(key: string, job: string, now: Date): Promise<ClaimResult> {
    const token = randomUUID();
    const nowSeconds = epochSeconds(now);
    try {
      await this.dynamodb.send(
        new PutItemCommand({
          TableName: this.options.table,
          Item: {
            key: str(key),
            status: str('IN_PROGRESS'),
            token: str(token),
            job: str(job),
            expiresAt: num(nowSeconds + this.options.leaseSeconds),
            updatedAt: str(now.toISOString()),
          },
          ConditionExpression: 'attribute_not_exists(#k) OR #e < :now',
          ExpressionAttributeNames: { '#k': 'key', '#e': 'expiresAt' },
          ExpressionAttributeValues: { ':now': num(nowSeconds) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { status: 'claimed', key, token };
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const existing = (error as { Item?: Item }).Item ?? (await this.read(key));
      // Deleted between our put and our read: the holder released it; retry soon.
      if (!existing) return { status: 'in-progress', leaseEndsInSeconds: 0 };
      if (readStr(existing, 'status') === 'COMPLETED') return { status: 'completed' };
      const leaseEnd = readNum(existing, 'expiresAt') ?? nowSeconds;
      return { status: 'in-progress', leaseEndsInSeconds: Math.max(0, leaseEnd - nowSeconds + 1) };
    }
  }

  /** Marks the job done; duplicates are suppressed until the TTL. */
  async complete(claim: Extract<ClaimResult, { status: 'claimed' }>, now: Date): Promise<void> {
    await this.dynamodb.send(
      new PutItemCommand({
        TableName: this.options.table,
        Item: {
          key: str(claim.key),
          status: str('COMPLETED'),
          token: str(claim.token),
          expiresAt: num(epochSeconds(now) + this.options.completedTtlSeconds),
          updatedAt: str(now.toISOString()),
        },
      }),
    );
  }

  /** Gives the claim up so the job can run again; a claim taken over by another run is left alone. */
  async release(claim: Extract<ClaimResult, { status: 'claimed' }>): Promise<void> {
    try {
      await this.dynamodb.send(
        new DeleteItemCommand({
          TableName: this.options.table,
          Key: { key: str(claim.key) },
          ConditionExpression: '#t = :token',
          ExpressionAttributeNames: { '#t': 'token' },
          ExpressionAttributeValues: { ':token': str(claim.token) },
        }),
      );
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
    }
  }

  private async read(key: string): Promise<Item | undefined> {
    const { Item } = await this.dynamodb.send(
      new GetItemCommand({
        TableName: this.options.table,
        Key: { key: str(key) },
        ConsistentRead: true,
      }),
    );
    return Item;
  }
}
