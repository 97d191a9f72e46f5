import { describe, expect, it } from 'vitest';
import { clip, duration, time } from '../../../../cli/lib/format';
import { ProgressBar } from '../../../../cli/lib/progress';

describe('duration', () => {
  it('shows the two largest units, leaving out a zero second unit', () => {
    expect(duration(0)).toBe('0s');
    expect(duration(59.9)).toBe('59s');
    expect(duration(90_061)).toBe('1d 1h');
    expect(duration(86_400)).toBe('1d');
    expect(duration(3_660)).toBe('1h 1m');
    expect(duration(1_209_600)).toBe('14d');
    expect(duration(-5)).toBe('0s');
  });
});

describe('time and clip', () => {
  it('drops milliseconds and keeps unknown times visible', () => {
    expect(time('2026-11-28T10:00:00.123Z')).toBe('2026-11-28T10:00:00Z');
    expect(time(undefined)).toBe('-');
    expect(time('not a time')).toBe('not a time');
  });

  it('keeps one line within the width', () => {
    expect(clip('a\n  b   c', 10)).toBe('a b c');
    expect(clip('abcdefghij', 5)).toBe('abcd…');
  });
});

describe('ProgressBar', () => {
  it('prints a line per quarter and the end when not at a terminal', () => {
    const lines: string[] = [];
    const bar = new ProgressBar(
      { stdout: () => undefined, stderr: (t) => lines.push(t), env: {} },
      'moving',
      8,
    );
    for (let done = 0; done <= 8; done++) bar.update(done, `${done} done`);
    bar.finish(8, '8 done');
    expect(lines).toEqual([
      'moving [------------------------]   0% 0/8 0 done\n',
      'moving [######------------------]  25% 2/8 2 done\n',
      'moving [############------------]  50% 4/8 4 done\n',
      'moving [##################------]  75% 6/8 6 done\n',
      'moving [########################] 100% 8/8 8 done\n',
    ]);
  });

  it('redraws one line in place at a terminal', () => {
    const out: string[] = [];
    const bar = new ProgressBar(
      { stdout: () => undefined, stderr: (t) => out.push(t), env: {}, interactive: true },
      'replay',
      4,
    );
    bar.update(1);
    bar.finish(4);
    expect(out).toEqual([
      '\r\x1b[2Kreplay [######------------------]  25% 1/4',
      '\r\x1b[2Kreplay [########################] 100% 4/4\n',
    ]);
  });
});
