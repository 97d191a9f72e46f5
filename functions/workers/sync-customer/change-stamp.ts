/**
 * Change times as sortable stamps. RFC 3339 times from producers differ in offset and
 * precision (`10:00:00+02:00`, `08:00:00.5Z`), so comparing them as text is wrong and
 * `Date.parse` drops everything past the millisecond. A stamp is the same instant in UTC
 * with exactly nine fraction digits — `2026-11-28T08:00:00.500000000Z` — so stamps compare
 * correctly as plain strings, and normalising a stamp again gives the same stamp.
 */
import { PermanentError } from '../../shared/errors';

const RFC_3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

/**
 * The stamp of an RFC 3339 time. Fractions beyond nanoseconds are cut off; a leap second
 * (`:60`) becomes the last nanosecond of `:59`, which keeps its order against its
 * neighbours.
 *
 * @throws PermanentError for text that is not an RFC 3339 time or lies outside years 0–9999 UTC.
 * @example
 * ```ts
 * changeStamp('2026-11-28T10:00:00.25+02:00'); // '2026-11-28T08:00:00.250000000Z'
 * ```
 */
export function changeStamp(time: string): string {
  const m = RFC_3339.exec(time);
  if (!m) throw new PermanentError(`Not an RFC 3339 time: "${time}"`);
  const [, year, month, day, hour, minute, second, fraction = '', sign, offH, offM] = m;
  const leap = second === '60';
  const at = new Date(0);
  // setUTCFullYear, not Date.UTC: Date.UTC maps years 0–99 to 1900–1999.
  at.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  at.setUTCHours(Number(hour), Number(minute), leap ? 59 : Number(second), 0);
  if (sign !== undefined) {
    const offsetMinutes = Number(offH) * 60 + Number(offM);
    at.setTime(at.getTime() - (sign === '+' ? 1 : -1) * offsetMinutes * 60_000);
  }
  const utcYear = at.getUTCFullYear();
  if (Number.isNaN(at.getTime()) || utcYear < 0 || utcYear > 9999) {
    throw new PermanentError(`Time outside years 0–9999 UTC: "${time}"`);
  }
  const nanos = leap ? '999999999' : fraction.padEnd(9, '0').slice(0, 9);
  return `${at.toISOString().slice(0, 19)}.${nanos}Z`;
}

/**
 * Orders two stamps: negative when `a` is older, 0 when equal, positive when newer.
 *
 * @example
 * ```ts
 * compareStamps(changeStamp('2026-01-01T00:00:00Z'), changeStamp('2025-12-31T23:00:00-02:00')); // < 0
 * ```
 */
export function compareStamps(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
