import { describe, expect, it } from 'vitest';
import { isDateTime } from '../../../functions/events/formats';

describe('date-time format', () => {
  it.each([
    '2026-11-28T09:30:00Z',
    '2026-11-28t09:30:00.123456z',
    '2026-11-28T09:30:00+01:00',
    '2024-02-29T00:00:00Z',
    '2000-02-29T00:00:00Z',
    '2026-04-30T00:00:00Z',
    '2026-12-31T23:59:60Z',
  ])('accepts %s', (value) => expect(isDateTime(value)).toBe(true));

  it.each([
    '2026-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-11-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-28 09:30:00Z',
    '2026-11-28T09:30:00',
    '2026-11-28T24:00:00Z',
  ])('rejects %s', (value) => expect(isDateTime(value)).toBe(false));
});
