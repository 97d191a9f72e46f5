import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ItemSold } from '../../../../functions/events/schemas/orders';
import { PermanentError } from '../../../../functions/shared/errors';
import {
  applyRate,
  commissionFor,
  commissionIdOf,
  saleDifferences,
} from '../../../../functions/workers/record-commission/commission';

const sale = (quantity: number, amount: number, sellerId = 's-1'): ItemSold => ({
  orderId: 'o-1',
  soldAt: '2026-11-28T10:00:00Z',
  lines: [
    { lineId: '7', productId: 'p-1', sellerId, quantity, unitPrice: { amount, currency: 'EUR' } },
  ],
});

const commissionOf = (quantity: number, amount: number, rate: number) => {
  const s = sale(quantity, amount);
  return commissionFor(s, s.lines[0] as ItemSold['lines'][number], { defaultBasisPoints: rate });
};

describe('commission calculation', () => {
  it.each([
    [1, 1005, 1000, 101], // 100.5 → 101: half rounds up
    [1, 1004, 1000, 100], // 100.4 → 100
    [1, 1006, 1000, 101], // 100.6 → 101
    [3, 5, 1000, 2], // per line: 15 × 10 % = 1.5 → 2 (per unit would give 3 × 1 = 3)
    [3, 1999, 750, 450], // 5997 × 7.5 % = 449.775 → 450
    [2, 2, 1000, 0], // 0.4 → 0
    [1, 0, 1000, 0],
    [4, 2500, 0, 0],
    [4, 2500, 10000, 10000],
  ])('%i × %i at %i bp is %i minor units', (quantity, amount, rate, expected) => {
    const c = commissionOf(quantity, amount, rate);
    expect(c.commissionAmount).toBe(expected);
    expect(c.grossAmount).toBe(quantity * amount);
    expect(c.rateBasisPoints).toBe(rate);
  });

  it('is within half a minor unit of the exact amount, and half rounds up', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 60n }),
        fc.integer({ min: 0, max: 10_000 }),
        (gross, rate) => {
          const commission = applyRate(gross, rate);
          // error = commission − gross × rate / 10,000, scaled by 10,000 to stay exact.
          const error = commission * 10_000n - gross * BigInt(rate);
          expect(error > -5_000n && error <= 5_000n).toBe(true);
          expect(commission <= gross).toBe(true);
        },
      ),
    );
  });

  it('keeps the sale facts and picks the seller rate', () => {
    const s = sale(2, 1250, 'vip');
    const c = commissionFor(s, s.lines[0] as ItemSold['lines'][number], {
      defaultBasisPoints: 1000,
      sellers: { vip: 500 },
    });
    expect(c).toEqual({
      commissionId: 'o-1#7',
      orderId: 'o-1',
      lineId: '7',
      sellerId: 'vip',
      productId: 'p-1',
      quantity: 2,
      unitAmount: 1250,
      currency: 'EUR',
      grossAmount: 2500,
      rateBasisPoints: 500,
      commissionAmount: 125,
      soldAt: '2026-11-28T10:00:00Z',
    });
  });

  it('refuses amounts beyond exact double precision instead of rounding them', () => {
    expect(() => commissionOf(500, Number.MAX_SAFE_INTEGER, 1000)).toThrow(PermanentError);
  });

  it('gives distinct ids to distinct (order, line) pairs, even with separators in them', () => {
    expect(commissionIdOf('a#b', 'c')).not.toBe(commissionIdOf('a', 'b#c'));
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (o1, l1, o2, l2) => {
        fc.pre(o1 !== o2 || l1 !== l2);
        expect(commissionIdOf(o1, l1)).not.toBe(commissionIdOf(o2, l2));
      }),
    );
  });

  it('compares sale facts but not the rate or the result', () => {
    const recorded = commissionOf(2, 500, 1000);
    expect(saleDifferences(recorded, commissionOf(2, 500, 300))).toEqual([]);
    expect(saleDifferences(recorded, commissionOf(3, 400, 1000))).toEqual([
      'quantity: 2 ≠ 3',
      'unitAmount: 500 ≠ 400',
    ]);
    expect(saleDifferences(recorded, { ...recorded, currency: 'USD' })).toEqual([
      'currency: EUR ≠ USD',
    ]);
  });
});
