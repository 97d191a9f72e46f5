/**
 * The router benchmark runs end to end with a small batch (its untimed output checks
 * included) and prints its JSON summary as the last stdout line. No timing thresholds here:
 * targets are read from `npm run bench:router`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('bench:router', () => {
  it('prints the four figures as JSON on its last stdout line', () => {
    const run = spawnSync('npx', ['tsx', 'bench/router.ts', '--records', '300', '--rounds', '2'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    // On failure, show the bench's own explanation (it writes everything human to stderr).
    expect(run.status, run.stderr.slice(-2_000)).toBe(0);
    const last = run.stdout.trim().split('\n').at(-1) ?? '';
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
