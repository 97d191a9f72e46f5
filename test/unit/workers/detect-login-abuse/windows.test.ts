import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../../functions/shared/errors';
import { epochMillis, windowOf } from '../../../../functions/workers/detect-login-abuse/windows';

describe('fixed counting windows', () => {
  it.each([
    ['2026-11-28T10:07:13Z', '2026-11-28T10:05:00.000Z', '2026-11-28T10:10:00.000Z'],
    ['2026-11-28T10:05:00Z', '2026-11-28T10:05:00.000Z', '2026-11-28T10:10:00.000Z'],
    ['2026-11-28T10:04:59.999Z', '2026-11-28T10:00:00.000Z', '2026-11-28T10:05:00.000Z'],
    ['2026-11-28T12:07:13+02:00', '2026-11-28T10:05:00.000Z', '2026-11-28T10:10:00.000Z'],
    ['2026-11-28t10:07:13z', '2026-11-28T10:05:00.000Z', '2026-11-28T10:10:00.000Z'],
    // A leap second stays in the window of the minute it ends.
    ['2016-12-31T23:59:60Z', '2016-12-31T23:55:00.000Z', '2017-01-01T00:00:00.000Z'],
  ])('%s is in [%s, %s)', (time, start, end) => {
    const window = windowOf(time, 300);
    expect(window).toEqual({ start, end, endSeconds: Date.parse(end) / 1000 });
  });

  it('contains its time, has the configured length and starts on a multiple of it', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-01Z'),
          max: new Date('2100-01-01Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 60, max: 86_400 }),
        (date, seconds) => {
          const window = windowOf(date.toISOString(), seconds);
          const start = Date.parse(window.start);
          const end = Date.parse(window.end);
          expect(start <= date.getTime() && date.getTime() < end).toBe(true);
          expect(end - start).toBe(seconds * 1000);
          expect(start % (seconds * 1000)).toBe(0);
        },
      ),
    );
  });

  it('rejects text that is not a time as a permanent failure', () => {
    expect(() => epochMillis('yesterday')).toThrow(PermanentError);
  });
});
