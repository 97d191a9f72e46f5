/**
 * sync-customer against moto (DynamoDB): whatever the order, duplication and concurrency of
 * change deliveries, the projection ends with the newest value of every field (checked with
 * fast-check against a model that simply takes the latest change per field), and the real
 * job runtime delivering duplicates and stale changes leaves it right.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CustomerChange } from '../../../functions/events/schemas/customers';
import { defineJob } from '../../../functions/jobs/define-job';
import type { JobMessage } from '../../../functions/queues/job-message';
import { resourceName } from '../../../functions/topology/naming';
import { TABLES } from '../../../functions/topology/topology';
import { syncCustomerJob } from '../../../functions/workers/sync-customer/job';
import { readProjection } from '../../../functions/workers/sync-customer/projection-store';
import {
  type CustomerChangeEvent,
  type SyncCustomerDeps,
  syncCustomer,
  syncCustomerCode,
} from '../../../functions/workers/sync-customer/sync-customer';
import { pollUntil, receive } from '../../support/esm';
import { jobContainerDeps } from '../../support/job-container';
import { routedJobMessage } from '../../support/job-message';
import { useLocalStage } from '../../support/local-stage';

const localStage = useLocalStage('sc', { indexes: false });
const { stage, sqs, dynamodb } = localStage;
const table = resourceName(stage, TABLES.customers.name);
const deps: SyncCustomerDeps = {
  dynamodb,
  table,
  now: () => new Date(),
  pause: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** Change times are microseconds after this instant. */
const BASE_MS = Date.parse('2026-11-28T00:00:00Z');

/**
 * An instant (µs after BASE_MS) as a producer might write it: in some time zone, with
 * 6 or 9 fraction digits — precision `Date.parse` would lose.
 */
function rfc3339(micros: number, offsetMinutes: number, nineDigits: boolean): string {
  const wholeMs = BASE_MS + Math.floor(micros / 1000) + offsetMinutes * 60_000;
  const local = new Date(wholeMs).toISOString().slice(0, 23); // ms precision, no zone
  const fraction = `${local.slice(20)}${String(micros % 1000).padStart(3, '0')}${nineDigits ? '000' : ''}`;
  if (offsetMinutes === 0) return `${local.slice(0, 19)}.${fraction}Z`;
  const sign = offsetMinutes > 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${local.slice(0, 19)}.${fraction}${zone}`;
}

/** The UTC stamp the projection should hold for an instant. */
function utcStamp(micros: number): string {
  const iso = new Date(BASE_MS + Math.floor(micros / 1000)).toISOString();
  return `${iso.slice(0, 23)}${String(micros % 1000).padStart(3, '0')}000Z`;
}

const FIELDS = ['name', 'email', 'phone', 'address', 'constructor'] as const;

const fieldValue = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null), // clears the field
  fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.oneof(fc.string(), fc.integer()), {
    maxKeys: 3,
  }),
);

interface ModelChange {
  readonly field: string;
  readonly value: unknown;
  /** µs after BASE_MS, unique per change so the newest is well defined. */
  readonly micros: number;
}

/** Change sets, each a few fields; instants often in the same millisecond, all distinct. */
const changeSets = fc
  .array(
    fc.array(
      fc.record({
        field: fc.constantFrom(...FIELDS),
        value: fieldValue,
        micros: fc.integer({ min: 0, max: 50 }),
        offsetMinutes: fc.constantFrom(0, 60, -300, 330, 840, -720),
        nineDigits: fc.boolean(),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((sets) => {
    // Distinct instants within a few milliseconds: scaled, plus the change's position (< 50).
    let position = 0;
    return sets.map((set) => {
      const byField = new Map<string, ModelChange & { time: string }>();
      for (const c of set) {
        const micros = c.micros * 50 + position++;
        byField.set(c.field, {
          field: c.field,
          value: c.value,
          micros,
          time: rfc3339(micros, c.offsetMinutes, c.nineDigits),
        });
      }
      return [...byField.values()];
    });
  });

/** The deliveries: every change set at least once, some twice, in any order, in groups. */
const scenario = changeSets.chain((sets) =>
  fc.array(fc.integer({ min: 0, max: sets.length - 1 }), { maxLength: 3 }).chain((extra) => {
    const deliveries = [...sets.keys(), ...extra];
    return fc.record({
      sets: fc.constant(sets),
      order: fc.shuffledSubarray(deliveries, {
        minLength: deliveries.length,
        maxLength: deliveries.length,
      }),
      concurrency: fc.integer({ min: 1, max: 3 }),
    });
  }),
);

let customers = 0;

function changeEvent(
  customerId: string,
  index: number,
  set: readonly (ModelChange & { time: string })[],
): CustomerChangeEvent {
  const changes: CustomerChange['changes'] = {};
  for (const c of set) changes[c.field] = { value: c.value, changedAt: c.time };
  return {
    specversion: '1.0',
    id: `${customerId}-${index}`,
    source: 'urn:shop:customers',
    type: index === 0 ? 'CUSTOMER_CREATED' : 'CUSTOMER_UPDATED',
    time: '2026-11-28T12:00:00Z',
    dataversion: 1,
    data: { customerId, changes },
  };
}

describe('sync-customer on moto', () => {
  it('keeps the newest value of every field under any order, duplicates and races', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ sets, order, concurrency }) => {
        const customerId = `cust-${stage}-${customers++}`;
        const events = sets.map((set, i) => changeEvent(customerId, i, set));
        for (let start = 0; start < order.length; start += concurrency) {
          const group = order.slice(start, start + concurrency);
          await Promise.all(group.map((i) => syncCustomer(deps, events[i] as CustomerChangeEvent)));
        }
        // The model: per field, the change with the latest instant.
        const newest = new Map<string, ModelChange>();
        for (const c of sets.flat()) {
          const seen = newest.get(c.field);
          if (!seen || c.micros > seen.micros) newest.set(c.field, c);
        }
        const stored = await readProjection(dynamodb, table, customerId);
        const actual = Object.fromEntries(
          [...stored.fields].map(([f, s]) => [f, { value: s.value, changedAt: s.changedAt }]),
        );
        const expected = Object.fromEntries(
          [...newest].map(([f, c]) => [f, { value: c.value, changedAt: utcStamp(c.micros) }]),
        );
        expect(actual).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('through the job runtime: a duplicate and a stale change leave the newest values', async () => {
    const jobDeps = jobContainerDeps(syncCustomerJob, localStage, { leaseSeconds: 2 });
    const handler = defineJob(syncCustomerJob, syncCustomerCode(deps), jobDeps);
    const queue = localStage.queueUrl('job-sync-customer');
    const customerId = `cust-${stage}-runtime`;
    const event = (id: string, changes: CustomerChange['changes']): CustomerChangeEvent => ({
      specversion: '1.0',
      id,
      source: 'urn:shop:customers',
      type: 'CUSTOMER_UPDATED',
      time: '2026-11-28T12:00:00Z',
      dataversion: 1,
      data: { customerId, changes },
    });
    const send = async (e: CustomerChangeEvent) => {
      const message: JobMessage = routedJobMessage('sync-customer', e, {
        provenance: { topic: 'customers.events' },
      });
      await sqs.send(
        new SendMessageCommand({ QueueUrl: queue, MessageBody: JSON.stringify(message) }),
      );
    };
    const newer = event('e-2', {
      email: { value: 'new@example.com', changedAt: '2026-11-28T10:00:00Z' },
      phone: { value: null, changedAt: '2026-11-28T10:00:00Z' },
    });
    const older = event('e-1', {
      email: { value: 'old@example.com', changedAt: '2026-11-28T09:00:00Z' },
      phone: { value: '+33 1 23 45 67 89', changedAt: '2026-11-28T09:00:00Z' },
      name: { value: 'Ada', changedAt: '2026-11-28T09:00:00Z' },
    });
    await send(newer);
    await send(newer);
    await send(older);
    const empty = async () => (await receive(sqs, queue, 10, 0)).length === 0;
    expect(await pollUntil(sqs, queue, handler, empty, 20_000)).toBe(true);
    const stored = await readProjection(dynamodb, table, customerId);
    expect(Object.fromEntries([...stored.fields].map(([f, s]) => [f, s.value]))).toEqual({
      email: 'new@example.com',
      phone: null, // cleared by the newer change; the older number does not come back
      name: 'Ada',
    });
    // Written twice (newer, then older's name): the duplicate wrote nothing.
    expect(stored.version).toBe(2);
  });
});
