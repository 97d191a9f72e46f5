/**
 * record-commission against moto (DynamoDB) and ElasticMQ (SQS), driven through the real job
 * runtime: duplicate and concurrent deliveries record each sale line exactly once, and a
 * sale line recorded with other facts is a conflict that lands in the job's DLQ.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { ItemSold } from '../../../functions/events/schemas/orders';
import { defineJob } from '../../../functions/jobs/define-job';
import type { DeadLetter } from '../../../functions/queues/dead-letter';
import type { JobMessage } from '../../../functions/queues/job-message';
import { type Item, readNum, readStr } from '../../../functions/shared/dynamo-attributes';
import { resourceName } from '../../../functions/topology/naming';
import { TABLES } from '../../../functions/topology/topology';
import { recordCommissionJob } from '../../../functions/workers/record-commission/job';
import type { CommissionRates } from '../../../functions/workers/record-commission/rates';
import {
  type ItemSoldEvent,
  recordCommissionCode,
  recordCommissions,
} from '../../../functions/workers/record-commission/record-commissions';
import {
  deadLettersIn,
  deliver,
  type Handler,
  pollUntil,
  queueArn,
  receive,
} from '../../support/esm';
import { jobContainerDeps } from '../../support/job-container';
import { routedJobMessage } from '../../support/job-message';
import { useLocalStage } from '../../support/local-stage';
import { captureLog } from '../../support/router';
import { uniqueId } from '../../support/unique-name';

const localStage = useLocalStage('rc', { indexes: false });
const { stage, sqs, dynamodb } = localStage;
const table = resourceName(stage, TABLES.commissions.name);
const rates: CommissionRates = { defaultBasisPoints: 1000, sellers: { 'seller-low': 750 } };

const queue = () => localStage.queueUrl('job-record-commission');
const dlq = () => localStage.queueUrl('job-record-commission-dlq');

/** A handler over the real job runtime, as one Lambda container would have it. */
function container(withRates: CommissionRates = rates): Handler {
  const deps = jobContainerDeps(recordCommissionJob, localStage);
  const code = recordCommissionCode({ dynamodb, table, rates: withRates, now: () => new Date() });
  return defineJob(recordCommissionJob, code, deps);
}

function sale(orderId: string, eventId: string, lines: ItemSold['lines']): ItemSoldEvent {
  return {
    specversion: '1.0',
    id: eventId,
    source: 'urn:shop:orders',
    type: 'ITEM_SOLD',
    time: '2026-11-28T10:00:00Z',
    dataversion: 2,
    data: { orderId, soldAt: '2026-11-28T09:59:58Z', lines },
  };
}

function messageOf(event: ItemSoldEvent): JobMessage<ItemSoldEvent> {
  return routedJobMessage('record-commission', event, {
    provenance: { topic: 'orders.events', offset: 1 },
  });
}

async function send(message: JobMessage): Promise<void> {
  await sqs.send(
    new SendMessageCommand({ QueueUrl: queue(), MessageBody: JSON.stringify(message) }),
  );
}

/** Commission items of an order, by line id. */
async function commissionsOf(orderId: string): Promise<Map<string, Item>> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: table,
        FilterExpression: 'orderId = :o',
        ExpressionAttributeValues: { ':o': { S: orderId } },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return new Map(items.map((item) => [readStr(item, 'lineId') as string, item]));
}

async function drain(handler: Handler): Promise<void> {
  await pollUntil(sqs, queue(), handler, () => false, 2_500);
}

async function dlqLetters(): Promise<DeadLetter[]> {
  return deadLettersIn(sqs, dlq());
}

const line = (lineId: string, sellerId: string, quantity: number, amount: number) => ({
  lineId,
  productId: `prod-${lineId}`,
  sellerId,
  quantity,
  unitPrice: { amount, currency: 'EUR' },
});

describe('record-commission on moto and ElasticMQ', () => {
  it('records each line once under duplicate, concurrent and re-published deliveries', async () => {
    const orderId = uniqueId('order-dup');
    const event = sale(orderId, `evt-${orderId}`, [
      line('1', 'seller-low', 3, 1999), // 5997 × 7.5 % = 449.775 → 450
      line('2', 'seller-std', 1, 1005), // 1005 × 10 % = 100.5 → 101 (half up)
      line('3', 'seller-std', 2, 2), // 4 × 10 % = 0.4 → 0
    ]);
    const message = messageOf(event);
    for (let i = 0; i < 4; i++) await send(message);
    // Two containers take the duplicates at the same time.
    const arn = await queueArn(sqs, queue());
    const received = await receive(sqs, queue(), 4);
    expect(received).toHaveLength(4);
    const [a, b] = [container(), container()];
    const responses = await Promise.all([
      deliver(sqs, queue(), arn, a, received.slice(0, 2)),
      deliver(sqs, queue(), arn, b, received.slice(2)),
    ]);
    expect(responses.flatMap((r) => r.batchItemFailures)).toEqual([]);
    // The same sale re-published under a new event id, with rates changed meanwhile.
    const republished = messageOf({ ...event, id: `evt-${orderId}-again` });
    await send(republished);
    await drain(container({ defaultBasisPoints: 2000 }));

    const items = await commissionsOf(orderId);
    expect([...items.keys()].sort()).toEqual(['1', '2', '3']);
    const amounts = [...items.entries()].map(([id, item]) => [
      id,
      readNum(item, 'grossAmount'),
      readNum(item, 'rateBasisPoints'),
      readNum(item, 'commissionAmount'),
    ]);
    expect(amounts.sort()).toEqual([
      ['1', 5997, 750, 450],
      ['2', 1005, 1000, 101],
      ['3', 4, 1000, 0],
    ]);
    // The first event recorded them; the re-published one changed nothing.
    for (const item of items.values()) {
      expect(readStr(item, 'eventId')).toBe(event.id);
      expect(readStr(item, 'jobId')).toBe(message.jobId);
    }
    expect(await dlqLetters()).toEqual([]);
  });

  it('dead-letters a sale line recorded with other facts, after recording the other lines', async () => {
    const orderId = uniqueId('order-conflict');
    const first = sale(orderId, `evt-${orderId}-1`, [line('1', 'seller-std', 2, 500)]);
    const handler = container();
    await send(messageOf(first));
    await drain(handler);
    // Line 1 again with another quantity, plus a line not seen before.
    const second = sale(orderId, `evt-${orderId}-2`, [
      line('1', 'seller-std', 5, 500),
      line('2', 'seller-std', 1, 300),
    ]);
    const message = messageOf(second);
    await send(message);
    await drain(handler);

    const letters = await dlqLetters();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({
      stage: 'job',
      reason: 'COMMISSION_CONFLICT',
      error: { class: 'CommissionConflictError' },
      job: { name: 'record-commission', jobId: message.jobId, attempts: 1, message },
    });
    expect(letters[0]?.error.message).toContain('quantity: 2 ≠ 5');
    const items = await commissionsOf(orderId);
    expect(readNum(items.get('1') as Item, 'quantity')).toBe(2);
    expect(readNum(items.get('1') as Item, 'commissionAmount')).toBe(100);
    expect(readNum(items.get('2') as Item, 'commissionAmount')).toBe(30);
  });

  it('keeps the recorded commission and warns when a duplicate meets changed rates', async () => {
    const orderId = uniqueId('order-rates');
    const event = sale(orderId, `evt-${orderId}`, [line('1', 'seller-std', 1, 10_000)]);
    const deps = { dynamodb, table, rates, now: () => new Date() };
    const log = captureLog();
    expect(await recordCommissions(deps, event, 'job-1', log)).toEqual({
      recorded: 1,
      duplicates: 0,
    });
    const changed = { ...deps, rates: { defaultBasisPoints: 500 } };
    expect(await recordCommissions(changed, event, 'job-1', log)).toEqual({
      recorded: 0,
      duplicates: 1,
    });
    const item = (await commissionsOf(orderId)).get('1') as Item;
    expect(readNum(item, 'commissionAmount')).toBe(1000);
    expect(log.entries.filter((e) => e.level === 'warn')).toHaveLength(1);
    expect(log.entries[0]?.extra[0]).toMatchObject({ recordedRate: 1000, currentRate: 500 });
  });
});
