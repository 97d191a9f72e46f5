/**
 * The router benchmark runs end to end with a small batch and prints its JSON summary as the
 * last stdout line. No timing thresholds here: targets are read from `npm run bench:router`.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('bench:router', () => {
  it('prints the four figures as JSON on its last stdout line', () => {
    const stdout = execFileSync(
      'npx',
      ['tsx', 'bench/router.ts', '--records', '300', '--rounds', '2'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 120_000,
      },
    );
    const last = stdout.trim().split('\n').at(-1) ?? '';
    const result = JSON.parse(last) as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual([
      'recordsPerSecond',
      'routerBundleBytes',
      'vsFloor',
      'vsPowertools',
    ]);
    for (const value of Object.values(result)) {
      expect(typeof value).toBe('number');
      expect(value as number).toBeGreaterThan(0);
    }
  }, 120_000);
});
