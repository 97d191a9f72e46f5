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
