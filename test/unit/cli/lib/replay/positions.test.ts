import { describe, expect, it } from 'vitest';
import { CliError } from '../../../../../cli/lib/io';
import { describePosition, parsePosition } from '../../../../../cli/lib/replay/positions';

describe('parsePosition', () => {
  it('reads digits as an offset, never as epoch milliseconds', () => {
    expect(parsePosition('0', '--from')).toEqual({ kind: 'offset', offset: 0n });
    expect(parsePosition('1764322200000', '--from')).toEqual({
      kind: 'offset',
      offset: 1_764_322_200_000n,
    });
  });

  it('reads ISO 8601 dates and times as timestamps, honouring the zone', () => {
    const utc = parsePosition('2026-11-28T10:00:00Z', '--from');
    const offsetZone = parsePosition('2026-11-28T11:00:00+01:00', '--from');
    expect(utc).toEqual({ kind: 'timestamp', at: new Date('2026-11-28T10:00:00.000Z') });
    expect(offsetZone).toEqual(utc);
    expect(describePosition(utc)).toBe('2026-11-28T10:00:00.000Z');
    expect(parsePosition('2026-11-28', '--to').kind).toBe('timestamp');
  });

  it('rejects anything else with a usage error naming the flag', () => {
    for (const text of ['yesterday', '-5', '12abc', '2026-13-45T99:00:00Z']) {
      let thrown: unknown;
      try {
        parsePosition(text, '--to');
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(CliError);
      expect((thrown as CliError).exitCode).toBe(2);
      expect((thrown as CliError).message).toContain(`--to "${text}"`);
    }
  });
});
