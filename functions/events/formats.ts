/**
 * The string formats our schemas use (`date-time`, `email`), registered with TypeBox so the
 * compiled validators check them. They stay in the JSON Schema files as standard `format`
 * keywords, so producers' validators check the same thing.
 */
import { FormatRegistry } from '@sinclair/typebox';

/** RFC 3339 date-time: a date, `T`, a time with optional fraction, and `Z` or an offset. */
const DATE_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt]([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** A pragmatic email check: one @, no spaces, a dot in the domain. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set(
    'date-time',
    (value) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)),
  );
}
if (!FormatRegistry.Has('email')) FormatRegistry.Set('email', (value) => EMAIL.test(value));
