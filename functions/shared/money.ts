/**
 * Money helpers shared by the event upcasts and the workers: amounts travel in integer minor
 * units of their currency (cents, yen, fils), never as floating-point major units.
 */

// Building an Intl.NumberFormat is costly; a batch sees few currencies.
const digitsByCurrency = new Map<string, number>();

/**
 * Digits after the decimal point in an ISO 4217 currency's minor unit.
 *
 * @example
 * ```ts
 * minorUnitDigits('EUR'); // 2
 * minorUnitDigits('JPY'); // 0
 * minorUnitDigits('KWD'); // 3
 * ```
 */
export function minorUnitDigits(currency: string): number {
  let digits = digitsByCurrency.get(currency);
  if (digits === undefined) {
    const format = new Intl.NumberFormat('en', { style: 'currency', currency });
    digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    digitsByCurrency.set(currency, digits);
  }
  return digits;
}

/**
 * A decimal amount in major units as integer minor units, rounded half up on the decimal the
 * number stands for — the shortest text that reads back as it, as JavaScript prints it — not
 * on its binary value: `0.29 × 100` is 28.999999999999996 in floating point, and `1.005 ×
 * 100` is 100.49999999999999, yet their minor units are 29 and 101 (half a cent rounds up).
 *
 * @example
 * ```ts
 * toMinorUnits(0.29, 2); // 29
 * toMinorUnits(1.005, 2); // 101
 * toMinorUnits(1999, 0); // 1999
 * ```
 */
export function toMinorUnits(amount: number, digits: number): number {
  if (!Number.isFinite(amount)) throw new RangeError(`Amount ${amount} is not a finite number`);
  const negative = amount < 0;
  // "1.005", "1e-7", "1.5e+21": digits, a point somewhere, an exponent.
  const [mantissa = '', exponentText = '0'] = String(Math.abs(amount)).split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  // The decimal as an integer of all its digits, and how far the point sits from its end.
  const allDigits = `${whole}${fraction}`;
  const scale = digits - fraction.length + Number(exponentText);
  let minor: bigint;
  if (scale >= 0) {
    minor = BigInt(allDigits) * 10n ** BigInt(scale);
  } else {
    const divisor = 10n ** BigInt(-scale);
    const value = BigInt(allDigits);
    minor = value / divisor + ((value % divisor) * 2n >= divisor ? 1n : 0n);
  }
  const result = Number(minor);
  return negative && result !== 0 ? -result : result;
}
