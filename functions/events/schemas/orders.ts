/**
 * Order events. ITEM_SOLD has two versions: version 1 priced lines as decimal numbers
 * in the order's currency; version 2 uses integer minor units per line and names each line.
 */
import type { Static } from '@sinclair/typebox';
// Namespace import: bundles only the builders used (the `Type` object holds every one).
import * as Type from '@sinclair/typebox';
import { minorUnitDigits, toMinorUnits } from '../../shared/money';
import { CurrencyCode, Id, Money, Timestamp } from './common';

export const ItemSoldV1 = Type.Object(
  {
    orderId: Id,
    soldAt: Timestamp,
    currency: CurrencyCode,
    lines: Type.Array(
      Type.Object({
        productId: Id,
        sellerId: Id,
        quantity: Type.Integer({ minimum: 1 }),
        unitPrice: Type.Number({ minimum: 0, description: 'Decimal price in major units' }),
      }),
      { minItems: 1, maxItems: 500 },
    ),
  },
  { description: 'Deprecated: decimal prices. Upcast to version 2.' },
);

export const ItemSoldV2 = Type.Object(
  {
    orderId: Id,
    soldAt: Timestamp,
    lines: Type.Array(
      Type.Object({
        lineId: Id,
        productId: Id,
        sellerId: Id,
        quantity: Type.Integer({ minimum: 1 }),
        unitPrice: Money,
      }),
      { minItems: 1, maxItems: 500 },
    ),
  },
  { description: 'Items of one order were sold; one line per product and seller' },
);

export type ItemSoldV1Data = Static<typeof ItemSoldV1>;
export type ItemSold = Static<typeof ItemSoldV2>;

/** Copies a field as spread would: a `__proto__` field (JSON.parse makes one) stays a field. */
function copyField(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    target[key] = value;
  }
}

/**
 * Version 1 → 2: decimal prices become minor units of the order's currency (the decimal
 * rounded half up: 1.005 EUR is 101 cents), lines get ids by position. Unknown fields of
 * the event and of each line are kept.
 *
 * @throws RangeError for a currency code Node.js does not know.
 */
export function upcastItemSoldV1(data: ItemSoldV1Data): ItemSold {
  const { currency } = data;
  const digits = minorUnitDigits(currency);
  // Copy loops instead of object rest/spread (the same keys in the same order): the router
  // upcasts every v1 sale, and spread was its costliest step. Unknown fields are kept.
  const upcast: Record<string, unknown> = {};
  for (const key in data) {
    if (key !== 'currency' && key !== 'lines')
      copyField(upcast, key, data[key as keyof ItemSoldV1Data]);
  }
  upcast.lines = data.lines.map((line, index) => {
    const next: Record<string, unknown> = {};
    for (const key in line) {
      if (key !== 'unitPrice') copyField(next, key, line[key as keyof typeof line]);
    }
    next.lineId = String(index + 1);
    next.unitPrice = { amount: toMinorUnits(line.unitPrice, digits), currency };
    return next;
  });
  return upcast as unknown as ItemSold;
}
