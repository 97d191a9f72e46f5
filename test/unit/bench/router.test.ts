/**
 * The router benchmark runs end to end with a small batch (its untimed output checks
 * included) and prints its JSON summary as the last stdout line. No timing thresholds here:
 * targets are read from `npm run bench:router`.
 */
import { describe, expect, it } from 'vitest';
import { runBench } from '../../support/run-bench';

describe('bench:router', () => {
  it('prints its figures as JSON on its last stdout line, the bare handler comparison included', () => {
    const { summary: result } = runBench<Record<string, unknown>>(
      'bench/router.ts',
      ['--records', '300', '--rounds', '2', '--cold-runs', '1'],
      120_000,
    );
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
