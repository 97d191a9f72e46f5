import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CustomerChange } from '../../../../functions/events/schemas/customers';
import {
  canonicalJson,
  mergeChanges,
  type ProjectionFields,
} from '../../../../functions/workers/sync-customer/merge-changes';

type Changes = CustomerChange['changes'];

const applyAll = (order: readonly Changes[]): ProjectionFields =>
  order.reduce<ProjectionFields>(
    (fields, changes) => mergeChanges(fields, changes).fields,
    new Map(),
  );

const asObject = (fields: ProjectionFields) =>
  Object.fromEntries([...fields].map(([name, state]) => [name, state.value]));

describe('mergeChanges', () => {
  it('applies newer fields, keeps newer stored ones, and lists what it applied', () => {
    const current = applyAll([
      {
        email: { value: 'a@x.io', changedAt: '2026-11-28T10:00:00Z' },
        name: { value: 'Ada', changedAt: '2026-11-28T08:00:00Z' },
      },
    ]);
    const { fields, applied } = mergeChanges(current, {
      email: { value: 'old@x.io', changedAt: '2026-11-28T09:00:00Z' },
      name: { value: 'Ada L.', changedAt: '2026-11-28T11:00:00+02:00' }, // 09:00Z: newer
      phone: { value: null, changedAt: '2026-11-28T07:00:00Z' },
    });
    expect(applied).toEqual(['name', 'phone']);
    expect(asObject(fields)).toEqual({ email: 'a@x.io', name: 'Ada L.', phone: null });
    expect(asObject(current)).toEqual({ email: 'a@x.io', name: 'Ada' }); // not mutated
  });

  it('applies nothing for a duplicate', () => {
    const changes: Changes = { email: { value: { v: 1 }, changedAt: '2026-11-28T10:00:00Z' } };
    const current = applyAll([changes]);
    expect(mergeChanges(current, changes).applied).toEqual([]);
  });

  it('does not let an older value bring back a cleared field', () => {
    const fields = applyAll([
      { phone: { value: null, changedAt: '2026-11-28T10:00:00Z' } },
      { phone: { value: '+33 1', changedAt: '2026-11-28T09:59:59.999999Z' } },
    ]);
    expect(asObject(fields)).toEqual({ phone: null });
  });

  it('treats field names of Object.prototype as plain fields', () => {
    const fields = applyAll([
      { constructor: { value: 'c', changedAt: '2026-11-28T10:00:00Z' } },
      { toString: { value: 't', changedAt: '2026-11-28T10:00:00Z' } },
    ]);
    expect(asObject(fields)).toEqual({ constructor: 'c', toString: 't' });
  });

  it('converges to the same projection for every order and duplication, ties included', () => {
    // Few distinct times, so equal changedAt with different values is common.
    const change = fc.record({
      value: fc.oneof(
        fc.string({ maxLength: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constant(null),
      ),
      changedAt: fc.constantFrom(
        '2026-11-28T10:00:00Z',
        '2026-11-28T11:00:00+01:00', // the same instant as the first
        '2026-11-28T10:00:00.000000001Z',
        '2026-11-28T09:00:00Z',
      ),
    });
    const changeSet = fc.dictionary(fc.constantFrom('a', 'b', 'c'), change, {
      minKeys: 1,
      maxKeys: 3,
    }) as fc.Arbitrary<Changes>;
    fc.assert(
      fc.property(
        fc
          .array(changeSet, { minLength: 1, maxLength: 6 })
          .chain((sets) =>
            fc.tuple(
              fc.constant(sets),
              fc.shuffledSubarray([...sets, ...sets], { minLength: sets.length * 2 }),
            ),
          ),
        ([sets, shuffled]) => {
          const reference = applyAll(sets);
          const other = applyAll(shuffled);
          expect(asObject(other)).toEqual(asObject(reference));
          // And each field holds the latest time any change gave it.
          for (const [name, state] of reference) {
            const times = sets.flatMap((s) => (s[name] ? [Date.parse(s[name].changedAt)] : []));
            expect(Date.parse(state.changedAt)).toBe(Math.max(...times));
          }
        },
      ),
    );
  });

  it('sorts object keys in canonical JSON', () => {
    expect(canonicalJson({ b: 1, a: [{ d: null, c: true }] })).toBe(
      '{"a":[{"c":true,"d":null}],"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });
});
