/**
 * Schema fragments shared by several event types.
 */
// Namespace import: bundles only the builders used (the `Type` object holds every one).
import * as Type from '@sinclair/typebox';

/** A non-empty identifier such as a product, order or account id. */
export const Id = Type.String({ minLength: 1, maxLength: 256 });

/** An RFC 3339 timestamp, e.g. `2026-11-28T17:50:00Z`. */
export const Timestamp = Type.String({ maxLength: 64, format: 'date-time' });

/** ISO 4217 currency code. */
export const CurrencyCode = Type.String({ maxLength: 3, pattern: '^[A-Z]{3}$' });

/** An amount of money in minor units (cents) of its currency, so no float rounding. */
export const Money = Type.Object(
  {
    amount: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Amount in minor units, e.g. cents',
    }),
    currency: CurrencyCode,
  },
  { description: 'Money in minor units' },
);
