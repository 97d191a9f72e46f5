/**
 * sync-customer's optimistic-concurrency loop over a mocked DynamoDB client: a lost race
 * re-reads and merges on top of the winner, a stale change writes nothing, and endless
 * races end in a TransientError for the job runtime to retry. (Real conditional writes run
 * against moto in the integration test.)
 */
import {
  DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { Item } from '../../../../functions/shared/dynamo-attributes';
import { TransientError } from '../../../../functions/shared/errors';
import {
  type CustomerChangeEvent,
  MAX_MERGE_ROUNDS,
  syncCustomer,
} from '../../../../functions/workers/sync-customer/sync-customer';
import { OFFLINE_AWS } from '../../../support/offline-aws';

const field = (value: string, changedAt: string) => ({
  M: { value: { S: value }, changedAt: { S: changedAt } },
});

const stored = (version: number, fields: Record<string, ReturnType<typeof field>>): Item => ({
  customerId: { S: 'c-1' },
  fields: { M: fields },
  version: { N: String(version) },
  tier: { S: 'gold' }, // not managed by sync-customer: must survive writes
});

function event(changes: CustomerChangeEvent['data']['changes']): CustomerChangeEvent {
  return {
    specversion: '1.0',
    id: 'e-1',
    source: 'urn:shop:customers',
    type: 'CUSTOMER_UPDATED',
    time: '2026-11-28T12:00:00Z',
    dataversion: 1,
    data: { customerId: 'c-1', changes },
  };
}

/** Reads answer the items in turn (the last one repeats); puts answer in turn too. */
function dynamo(reads: (Item | undefined)[], puts: ('ok' | 'conflict')[]) {
  const client = new DynamoDBClient(OFFLINE_AWS);
  const gets: GetItemCommandInput[] = [];
  const written: PutItemCommandInput[] = [];
  const pauses: number[] = [];
  const mock = mockClient(client);
  mock.on(GetItemCommand).callsFake((input: GetItemCommandInput) => {
    gets.push(input);
    return { Item: reads[Math.min(gets.length, reads.length) - 1] };
  });
  mock.on(PutItemCommand).callsFake((input: PutItemCommandInput) => {
    written.push(input);
    if ((puts[written.length - 1] ?? 'ok') === 'conflict') {
      throw Object.assign(new Error('conditional'), {
        name: 'ConditionalCheckFailedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      });
    }
    return {};
  });
  const deps = {
    dynamodb: client,
    table: 'customers',
    now: () => new Date('2026-11-28T12:00:01Z'),
    pause: async (ms: number) => {
      pauses.push(ms);
    },
    random: () => 0.5,
  };
  return { deps, gets, written, pauses };
}

const T = (hour: number) => `2026-11-28T${String(hour).padStart(2, '0')}:00:00.000000000Z`;

describe('syncCustomer concurrency', () => {
  it('creates a new customer only if nobody else did, reading consistently', async () => {
    const { deps, gets, written } = dynamo([undefined], ['ok']);
    const outcome = await syncCustomer(deps, event({ name: { value: 'Ada', changedAt: T(9) } }));
    expect(outcome).toEqual({ applied: ['name'], rounds: 1 });
    expect(gets[0]?.ConsistentRead).toBe(true);
    expect(written[0]?.ConditionExpression).toBe('attribute_not_exists(#key)');
    expect(written[0]?.Item?.version).toEqual({ N: '1' });
  });

  it('after a lost race, merges on top of the winner and writes against its version', async () => {
    const before = stored(3, { name: field('Ada', T(8)) });
    const winner = stored(4, { name: field('Ada', T(8)), email: field('win@x.io', T(11)) });
    const { deps, written, pauses } = dynamo([before, winner], ['conflict', 'ok']);
    const outcome = await syncCustomer(
      deps,
      event({
        email: { value: 'mine@x.io', changedAt: T(10) }, // older than the winner's
        name: { value: 'Ada L.', changedAt: T(9) },
      }),
    );
    expect(outcome).toEqual({ applied: ['name'], rounds: 2 });
    expect(pauses).toHaveLength(1);
    const last = written[1];
    expect(last?.ExpressionAttributeValues).toEqual({ ':version': { N: '4' } });
    expect(last?.Item?.version).toEqual({ N: '5' });
    expect(last?.Item?.tier).toEqual({ S: 'gold' });
    expect(last?.Item?.fields?.M?.email).toEqual(field('win@x.io', T(11)));
    expect(last?.Item?.fields?.M?.name).toEqual(field('Ada L.', T(9)));
  });

  it('writes nothing for a change older than every stored field', async () => {
    const { deps, written } = dynamo([stored(2, { name: field('Ada', T(10)) })], []);
    const outcome = await syncCustomer(deps, event({ name: { value: 'Old', changedAt: T(9) } }));
    expect(outcome).toEqual({ applied: [], rounds: 1 });
    expect(written).toHaveLength(0);
  });

  it('gives up with a TransientError after losing every round, backing off each time', async () => {
    const { deps, written, pauses } = dynamo(
      [stored(1, {})],
      Array(MAX_MERGE_ROUNDS).fill('conflict'),
    );
    await expect(
      syncCustomer(deps, event({ name: { value: 'Ada', changedAt: T(9) } })),
    ).rejects.toBeInstanceOf(TransientError);
    expect(written).toHaveLength(MAX_MERGE_ROUNDS);
    expect(pauses).toHaveLength(MAX_MERGE_ROUNDS);
    // Full jitter under a doubling cap: 0.5 × 25 × 2^round.
    expect(pauses).toEqual([25, 50, 100, 200, 400]);
  });

  // Events of another type never get here: the job runtime dead-letters them as WRONG_JOB.
  it('takes over an item without a version once', async () => {
    const legacy: Item = { customerId: { S: 'c-1' } };
    const { deps, written } = dynamo([legacy], ['ok']);
    await syncCustomer(deps, event({ name: { value: 'Ada', changedAt: T(9) } }));
    expect(written[0]?.ConditionExpression).toBe('attribute_not_exists(#version)');
  });
});
