import { describe, expect, it } from 'vitest';
import { canaryVerdict, FailureGuard } from '../../../../../cli/lib/redrive/guard';
import type { MessageOutcome, RedrivenOutcome } from '../../../../../cli/lib/redrive/outcomes';

const outcomes = (...list: RedrivenOutcome[]): MessageOutcome[] =>
  list.map((outcome, i) => ({
    outcome,
    detail: '',
    moved: {
      identity: `job:${i}`,
      subject: `job ${i}`,
      fingerprint: { id: 'f', errorClass: 'E', where: 'w', codeVersion: 'v', label: 'E:w@v' },
      originalMessageId: `o${i}`,
      newMessageId: `n${i}`,
    },
  }));

describe('canaryVerdict', () => {
  it('goes on when failures stay within the threshold', () => {
    const verdict = canaryVerdict(
      outcomes('processed', 'processed', 'processed', 'processed', 'failed'),
      0.2,
    );
    expect(verdict).toMatchObject({ go: true, processed: 4, failed: 1, pending: 0 });
  });

  it('stops when more than the threshold failed again', () => {
    const verdict = canaryVerdict(outcomes('processed', 'processed', 'failed', 'failed'), 0.2);
    expect(verdict.go).toBe(false);
    expect(verdict.reason).toBe('2 of 4 canary messages failed again (threshold 20%)');
  });

  it('stops when most of the canary has no outcome: inconclusive proves nothing', () => {
    const verdict = canaryVerdict(outcomes('processed', 'pending', 'pending'), 0.5);
    expect(verdict).toMatchObject({ go: false, pending: 2 });
    expect(verdict.reason).toContain('inconclusive');
    expect(canaryVerdict(outcomes('processed', 'processed', 'pending'), 0.5).go).toBe(true);
  });

  it('a threshold of 0 tolerates no failure at all', () => {
    expect(canaryVerdict(outcomes('processed', 'failed'), 0).go).toBe(false);
    expect(canaryVerdict(outcomes('processed', 'processed'), 0).go).toBe(true);
  });
});

describe('FailureGuard', () => {
  it('does not judge before the minimum sample', () => {
    const guard = new FailureGuard({ threshold: 0.1, minSample: 10, patience: 1 });
    expect(guard.observe(9, 9)).toBe(false);
    expect(guard.observe(10, 9)).toBe(true);
  });

  it('stops only when failures stay above the threshold for `patience` checks in a row', () => {
    const guard = new FailureGuard({ threshold: 0.2, minSample: 5, patience: 3 });
    expect(guard.observe(10, 5)).toBe(false); // above, 1
    expect(guard.observe(20, 5)).toBe(false); // above, 2
    expect(guard.observe(40, 5)).toBe(false); // 12.5 %: below, reset
    expect(guard.observe(40, 9)).toBe(false); // above, 1
    expect(guard.observe(41, 9)).toBe(false); // above, 2
    expect(guard.observe(42, 9)).toBe(true); // above, 3
  });

  it('treats exactly the threshold as acceptable', () => {
    const guard = new FailureGuard({ threshold: 0.25, minSample: 1, patience: 1 });
    expect(guard.observe(8, 2)).toBe(false);
    expect(guard.observe(8, 3)).toBe(true);
    expect(FailureGuard.ratio(0, 0)).toBe(0);
  });
});
