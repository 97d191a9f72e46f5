/**
 * Order events. ITEM_SOLD has two versions: version 1 priced lines as decimal numbers
 * in the order's currency; version 2 uses integer minor units per line and names each line.
 */
import { type Static, Type } from '@sinclair/typebox';
import { minorUnitDigits } from '../../shared/money';
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

/**
 * Version 1 → 2: decimal prices become minor units of the order's currency, lines get
 * ids by position. Unknown fields of the event and of each line are kept.
 *
 * @throws RangeError for a currency code the runtime does not know.
 */
export function upcastItemSoldV1(data: ItemSoldV1Data): ItemSold {
  const { currency, lines, ...rest } = data;
  const digits = minorUnitDigits(currency);
  return {
    ...rest,
    lines: lines.map(({ unitPrice, ...line }, index) => ({
      ...line,
      lineId: String(index + 1),
      unitPrice: { amount: Math.round(unitPrice * 10 ** digits), currency },
    })),
  };
}
