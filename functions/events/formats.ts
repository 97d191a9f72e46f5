/**
 * The string formats our schemas use (`date-time`, `email`), registered with TypeBox so the
 * compiled validators check them. They stay in the JSON Schema files as standard `format`
 * keywords, so producers' validators check the same thing.
 */
import { FormatRegistry } from '@sinclair/typebox';

/** RFC 3339 date-time: a date, `T`, a time with optional fraction, and `Z` or an offset. */
const DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** RFC 5321's limit on the length of an address (a path of 256 less its angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

/**
 * One @ between text without whitespace or @, and a dot in the domain that is neither its
 * first nor its last character. The obvious `^[^\s@]+@[^\s@]+\.[^\s@]+$` says the same but
 * backtracks quadratically (80,000 characters took 18 s): both domain classes can take every
 * dot. Here the dot is the first one after the domain's first character, so every input has
 * one way to match.
 */
const EMAIL = /^[^\s@]+@[^\s@][^\s@.]*\.[^\s@]+$/;

/**
 * The regular expression allows day 31 in every month; this rejects the days a month lacks
 * (Feb 30, Apr 31, Feb 29 outside leap years). `Date.parse` cannot: V8 rolls Feb 31 over to
 * March and rejects RFC 3339's leap second (`:60`).
 */
function dayExists(value: string): boolean {
  const day = (value.charCodeAt(8) - 48) * 10 + value.charCodeAt(9) - 48;
  if (day <= 28) return true;
  const month = (value.charCodeAt(5) - 48) * 10 + value.charCodeAt(6) - 48;
  if (month !== 2)
    return day <= (month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31);
  const year = Number(value.slice(0, 4));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (leap ? 29 : 28);
}

/** Whether `value` is an RFC 3339 date-time naming a real calendar day. */
export function isDateTime(value: string): boolean {
  return DATE_TIME.test(value) && dayExists(value);
}

/**
 * A pragmatic email check, in linear time: one @, no whitespace, a dot inside the domain
 * (neither its first nor its last character), at most {@link MAX_EMAIL_LENGTH} characters.
 *
 * @example
 * ```ts
 * isEmail('ada@example.com'); // true
 * isEmail('ada@example.'); // false
 * ```
 */
export function isEmail(value: string): boolean {
  return value.length <= MAX_EMAIL_LENGTH && EMAIL.test(value);
}

if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isDateTime);
if (!FormatRegistry.Has('email')) FormatRegistry.Set('email', isEmail);
