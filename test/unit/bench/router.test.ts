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
  it('prints its figures as JSON on its last stdout line, the bare handler comparison included', () => {
    const args = [
      'tsx',
      'bench/router.ts',
      '--records',
      '300',
      '--rounds',
      '2',
      '--cold-runs',
      '1',
    ];
    const run = spawnSync('npx', args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    // On failure, show the bench's own explanation (it writes everything human to stderr).
    expect(run.status, run.stderr.slice(-2_000)).toBe(0);
    const last = run.stdout.trim().split('\n').at(-1) ?? '';
    const result = JSON.parse(last) as Record<string, unknown>;
    expect(Object.keys(result).sort()).toEqual([
      'bareBundleBytes',
      'bareColdImportMs',
      'bundleVsBare',
      'coldImportVsBare',
      'recordsPerSecond',
      'routerBundleBytes',
      'routerColdImportMs',
      'vsFloor',
      'vsPowertools',
    ]);
    for (const value of Object.values(result)) {
      expect(typeof value).toBe('number');
      expect(value as number).toBeGreaterThan(0);
    }
    // Sizes are exact, so their ratio is checked; timings are not.
    for (const bytes of [result.routerBundleBytes, result.bareBundleBytes]) {
      expect(Number.isInteger(bytes)).toBe(true);
    }
    const { routerBundleBytes, bareBundleBytes, bundleVsBare } = result as Record<string, number>;
    expect(bundleVsBare).toBeCloseTo((routerBundleBytes ?? 0) / (bareBundleBytes ?? 1), 3);
  }, 120_000);
});
