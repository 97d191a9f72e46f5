/**
 * The decisions record-commission makes around DynamoDB's answers, over a mocked client:
 * which error a run ends with, and that every line is attempted whatever the others do.
 * (The real conditional writes are exercised against moto in the integration test.)
 */
import { DynamoDBClient, PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { ItemSold } from '../../../../functions/events/schemas/orders';
import { type Item, readStr } from '../../../../functions/shared/dynamo-attributes';
import { PermanentError, TransientError } from '../../../../functions/shared/errors';
import { ThrottledError } from '../../../../functions/shared/throttling';
import { commissionFor } from '../../../../functions/workers/record-commission/commission';
import { commissionItem } from '../../../../functions/workers/record-commission/commission-item';
import {
  CommissionConflictError,
  type ItemSoldEvent,
  recordCommissions,
} from '../../../../functions/workers/record-commission/record-commissions';
import { OFFLINE_AWS } from '../../../support/offline-aws';
import { captureLog } from '../../../support/router';

const rates = { defaultBasisPoints: 1000 };

function sale(lines: number, quantity = 1): ItemSoldEvent {
  return {
    specversion: '1.0',
    id: 'evt-1',
    source: 'urn:shop:orders',
    type: 'ITEM_SOLD',
    time: '2026-11-28T10:00:00Z',
    dataversion: 2,
    data: {
      orderId: 'o-1',
      soldAt: '2026-11-28T10:00:00Z',
      lines: Array.from({ length: lines }, (_, i) => ({
        lineId: String(i + 1),
        productId: `p-${i + 1}`,
        sellerId: 's-1',
        quantity,
        unitPrice: { amount: 1000, currency: 'EUR' },
      })),
    },
  };
}

/** The item a run of `event` would write for line `index`. */
function itemOf(event: ItemSoldEvent, index: number): Item {
  const line = event.data.lines[index] as ItemSold['lines'][number];
  return commissionItem(commissionFor(event.data, line, rates), {
    eventId: 'earlier',
    eventSource: 'urn:shop:orders',
    jobId: 'job-0',
    recordedAt: '2026-11-28T09:00:00Z',
  });
}

const sdkError = (name: string, status: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    ...extra,
  });

/** A client whose PutItem answers per line id; records the line ids it was asked for. */
function dynamoAnswering(answer: (lineId: string, input: PutItemCommandInput) => unknown) {
  const client = new DynamoDBClient(OFFLINE_AWS);
  const asked: string[] = [];
  mockClient(client)
    .on(PutItemCommand)
    .callsFake((input: PutItemCommandInput) => {
      const lineId = readStr(input.Item ?? {}, 'lineId') as string;
      asked.push(lineId);
      const result = answer(lineId, input);
      if (result instanceof Error) throw result;
      return {};
    });
  const deps = { dynamodb: client, table: 'commissions', rates, now: () => new Date(0) };
  return { deps, asked };
}

const run = (deps: Parameters<typeof recordCommissions>[0], event: ItemSoldEvent) =>
  recordCommissions(deps, event, 'job-1', captureLog());

describe('recordCommissions decisions', () => {
  it('writes every line conditionally, ten at a time, and counts them', async () => {
    const conditions = new Set<string | undefined>();
    const { deps, asked } = dynamoAnswering((_, input) => {
      conditions.add(input.ConditionExpression);
    });
    expect(await run(deps, sale(25))).toEqual({ recorded: 25, duplicates: 0 });
    expect(asked).toHaveLength(25);
    expect([...conditions]).toEqual(['attribute_not_exists(#id)']);
  });

  it('ends with ThrottledError when one line is throttled, after attempting every line', async () => {
    const event = sale(3);
    const { deps, asked } = dynamoAnswering((lineId) => {
      if (lineId === '1') return sdkError('ProvisionedThroughputExceededException', 400);
      if (lineId === '2') {
        return sdkError('ConditionalCheckFailedException', 400, {
          Item: itemOf(sale(3, 9), 1), // recorded with another quantity: a conflict
        });
      }
      return undefined;
    });
    await expect(run(deps, event)).rejects.toBeInstanceOf(ThrottledError);
    expect(asked.sort()).toEqual(['1', '2', '3']);
  });

  it('stops starting new writes once a chunk of ten was throttled', async () => {
    const { deps, asked } = dynamoAnswering((lineId) =>
      lineId === '4' ? sdkError('ThrottlingException', 400) : undefined,
    );
    await expect(run(deps, sale(25))).rejects.toBeInstanceOf(ThrottledError);
    expect(asked).toHaveLength(10);
  });

  it('prefers a transient error over a conflict, so the retry can still record the rest', async () => {
    const { deps } = dynamoAnswering((lineId) =>
      lineId === '1'
        ? sdkError('InternalServerError', 500)
        : sdkError('ConditionalCheckFailedException', 400, { Item: itemOf(sale(2, 4), 1) }),
    );
    const error = await run(deps, sale(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).not.toBeInstanceOf(ThrottledError);
  });

  it('reports every conflicting line in one CommissionConflictError', async () => {
    const other = sale(3, 2);
    const { deps } = dynamoAnswering((lineId) =>
      sdkError('ConditionalCheckFailedException', 400, { Item: itemOf(other, Number(lineId) - 1) }),
    );
    const error = (await run(deps, sale(3)).catch((e: unknown) => e)) as CommissionConflictError;
    expect(error).toBeInstanceOf(CommissionConflictError);
    expect(error.reason).toBe('COMMISSION_CONFLICT');
    for (const id of ['o-1#1', 'o-1#2', 'o-1#3']) expect(error.message).toContain(id);
  });

  it('counts an identical recorded line as a duplicate', async () => {
    const event = sale(2);
    const { deps } = dynamoAnswering((lineId) =>
      lineId === '2'
        ? sdkError('ConditionalCheckFailedException', 400, { Item: itemOf(event, 1) })
        : undefined,
    );
    expect(await run(deps, event)).toEqual({ recorded: 1, duplicates: 1 });
  });

  it('treats a failed condition without a commission item as a conflict', async () => {
    const { deps } = dynamoAnswering(() =>
      sdkError('ConditionalCheckFailedException', 400, { Item: { commissionId: { S: 'x' } } }),
    );
    await expect(run(deps, sale(1))).rejects.toThrow(/not a commission item/);
  });

  it('dead-letters validation errors', async () => {
    const { deps, asked } = dynamoAnswering(() => sdkError('ValidationException', 400));
    const error = await run(deps, sale(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error).not.toBeInstanceOf(CommissionConflictError);
    expect(asked).toHaveLength(1);
  });
});
