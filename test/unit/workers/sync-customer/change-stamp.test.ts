import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../../functions/shared/errors';
import {
  changeStamp,
  compareStamps,
} from '../../../../functions/workers/sync-customer/change-stamp';

describe('change stamps', () => {
  it.each([
    ['2026-11-28T10:00:00Z', '2026-11-28T10:00:00.000000000Z'],
    ['2026-11-28T10:00:00.25+02:00', '2026-11-28T08:00:00.250000000Z'],
    ['2026-11-28T01:30:00.123456789-05:30', '2026-11-28T07:00:00.123456789Z'],
    ['2026-11-28t10:00:00.1234567891z', '2026-11-28T10:00:00.123456789Z'],
    ['2026-01-01T00:30:00+01:00', '2025-12-31T23:30:00.000000000Z'],
    ['0050-06-01T00:00:00Z', '0050-06-01T00:00:00.000000000Z'], // not 1950
    ['2016-12-31T23:59:60.5Z', '2016-12-31T23:59:59.999999999Z'],
  ])('%s → %s', (time, stamp) => {
    expect(changeStamp(time)).toBe(stamp);
  });

  it('rejects what is not an RFC 3339 time or leaves years 0–9999', () => {
    expect(() => changeStamp('2026-11-28 10:00:00Z')).toThrow(PermanentError);
    expect(() => changeStamp('9999-12-31T23:30:00-01:00')).toThrow(/outside years/);
  });

  /** Nanoseconds after 2000-01-01 as RFC 3339 text in a time zone, with 9 digits. */
  const instant = fc.record({
    seconds: fc.integer({ min: 0, max: 3_000_000_000 }),
    nanos: fc.integer({ min: 0, max: 999_999_999 }),
    offsetMinutes: fc.integer({ min: -23 * 60, max: 23 * 60 }),
  });
  const text = ({
    seconds,
    nanos,
    offsetMinutes,
  }: {
    seconds: number;
    nanos: number;
    offsetMinutes: number;
  }) => {
    const local = new Date(Date.UTC(2000, 0, 1) + (seconds + offsetMinutes * 60) * 1000);
    const sign = offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(offsetMinutes);
    const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    return `${local.toISOString().slice(0, 19)}.${String(nanos).padStart(9, '0')}${zone}`;
  };

  it('orders stamps as their instants are ordered, to the nanosecond', () => {
    fc.assert(
      fc.property(instant, instant, (a, b) => {
        const byInstant = Math.sign(a.seconds - b.seconds || a.nanos - b.nanos);
        expect(Math.sign(compareStamps(changeStamp(text(a)), changeStamp(text(b))))).toBe(
          byInstant,
        );
      }),
    );
  });

  it('is its own fixed point', () => {
    fc.assert(
      fc.property(instant, (a) => {
        const stamp = changeStamp(text(a));
        expect(changeStamp(stamp)).toBe(stamp);
      }),
    );
  });
});
