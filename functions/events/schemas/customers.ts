/**
 * Customer change-data events: the keys that changed with their new values, each stamped
 * with the time it changed, so a projection can apply changes that arrive out of order.
 */
import type { Static } from '@sinclair/typebox';
// Namespace import: bundles only the builders used (the `Type` object holds every one).
import * as Type from '@sinclair/typebox';
import { Id, Timestamp } from './common';

export const FieldChange = Type.Object({
  value: Type.Unknown({ description: 'The new value; null clears the field' }),
  changedAt: Timestamp,
});

export const CustomerChangeV1 = Type.Object(
  {
    customerId: Id,
    changes: Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$' }), FieldChange, {
      minProperties: 1,
      maxProperties: 256,
    }),
  },
  { description: 'Fields of a customer that were set or changed' },
);

export type CustomerChange = Static<typeof CustomerChangeV1>;
