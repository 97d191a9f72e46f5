/**
 * The commission on one sold line, as a pure calculation. Money stays in integer minor
 * units of the line's currency and is computed with BigInt, so no float ever touches it.
 *
 * Rounding rule: commission = gross × rate / 10,000, rounded half up to the minor unit
 * (amounts are never negative, so half up is also half away from zero), once per line —
 * never per unit, so quantity does not multiply a rounding error.
 */
import type { ItemSold } from '../../events/schemas/orders';
import { PermanentError } from '../../shared/errors';
import { BASIS_POINTS_PER_UNIT, type CommissionRates, rateFor } from './rates';

export type SoldLine = ItemSold['lines'][number];

/** What the commissions table holds for one sale line. */
export interface Commission {
  /** One per sale line: see {@link commissionIdOf}. */
  readonly commissionId: string;
  readonly orderId: string;
  readonly lineId: string;
  readonly sellerId: string;
  readonly productId: string;
  readonly quantity: number;
  /** Unit price in minor units. */
  readonly unitAmount: number;
  readonly currency: string;
  /** quantity × unit price, minor units. */
  readonly grossAmount: number;
  readonly rateBasisPoints: number;
  /** The commission, minor units (rounded half up). */
  readonly commissionAmount: number;
  readonly soldAt: string;
}

/**
 * The commission id of a sale line: order id and line id, each URI-encoded so no pair of
 * ids can run together (`a#b`,`c` vs `a`,`b#c`). Keyed by the sale, not by the event id, so
 * the same line re-published under a new event id is still recorded once.
 *
 * @example
 * ```ts
 * commissionIdOf('order-1', '2'); // 'order-1#2'
 * ```
 */
export function commissionIdOf(orderId: string, lineId: string): string {
  return `${encodeURIComponent(orderId)}#${encodeURIComponent(lineId)}`;
}

/**
 * `amount × basisPoints / 10,000` rounded half up, exactly.
 *
 * @example
 * ```ts
 * applyRate(1005n, 1000); // 101n (100.5 rounds up)
 * ```
 */
export function applyRate(amount: bigint, basisPoints: number): bigint {
  const scale = BigInt(BASIS_POINTS_PER_UNIT);
  return (amount * BigInt(basisPoints) + scale / 2n) / scale;
}

/** A bigint as a number, or a PermanentError when it is beyond exact double precision. */
function exactNumber(value: bigint, what: string, orderId: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new PermanentError(`Order ${orderId}: ${what} ${value} is beyond 2^53 minor units`);
  }
  return Number(value);
}

/**
 * The commission for one line of a sale.
 *
 * @example
 * ```ts
 * const c = commissionFor(sale, sale.lines[0], { defaultBasisPoints: 1000 });
 * c.commissionAmount; // 10 % of quantity × unit price, rounded half up
 * ```
 */
export function commissionFor(sale: ItemSold, line: SoldLine, rates: CommissionRates): Commission {
  const rate = rateFor(rates, line.sellerId);
  const gross = BigInt(line.quantity) * BigInt(line.unitPrice.amount);
  return {
    commissionId: commissionIdOf(sale.orderId, line.lineId),
    orderId: sale.orderId,
    lineId: line.lineId,
    sellerId: line.sellerId,
    productId: line.productId,
    quantity: line.quantity,
    unitAmount: line.unitPrice.amount,
    currency: line.unitPrice.currency,
    grossAmount: exactNumber(gross, 'gross amount', sale.orderId),
    rateBasisPoints: rate,
    commissionAmount: exactNumber(applyRate(gross, rate), 'commission', sale.orderId),
    soldAt: sale.soldAt,
  };
}

/** The facts of the sale a commission was computed from (everything but rate and result). */
const SALE_FACTS = [
  'orderId',
  'lineId',
  'sellerId',
  'productId',
  'quantity',
  'unitAmount',
  'currency',
] as const satisfies readonly (keyof Commission)[];

/**
 * The sale facts on which two commissions for the same line disagree; empty when they
 * describe the same sale (a duplicate, even if rates changed in between).
 *
 * @example
 * ```ts
 * saleDifferences(recorded, { ...recorded, quantity: 3 }); // ['quantity: 2 ≠ 3']
 * ```
 */
export function saleDifferences(recorded: Commission, incoming: Commission): string[] {
  return SALE_FACTS.filter((fact) => recorded[fact] !== incoming[fact]).map(
    (fact) => `${fact}: ${String(recorded[fact])} ≠ ${String(incoming[fact])}`,
  );
}
