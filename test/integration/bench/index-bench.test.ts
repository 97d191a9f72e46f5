/**
 * bench:index end to end on a tiny input against the local services: its untimed checks
 * (no failed job, every document searchable in both indexes, sampled documents identical)
 * pass, and the last stdout line is the JSON summary with an exact bulk-request count.
 * No timing thresholds here: targets are read from `npm run bench:index`.
 */
import { describe, expect, it } from 'vitest';
import { runBench } from '../../support/run-bench';

describe('bench:index', () => {
  it('prints docsPerSecond, vsRawBulk and an exact bulkRequestsPer1000 as its last line', () => {
    // 250 documents in batches of 100: three bulk requests, 12 per 1000 documents.
    const run = runBench<Record<string, number>>(
      'bench/index-product.ts',
      ['--docs', '250', '--batch', '100', '--rounds', '1'],
      60_000,
    );
    expect(run.stdoutLines).toHaveLength(1);
    const result = run.summary;
    expect(Object.keys(result).sort()).toEqual([
      'bulkRequestsPer1000',
      'docsPerSecond',
      'vsRawBulk',
    ]);
    expect(result.bulkRequestsPer1000).toBe(12);
    expect(result.docsPerSecond).toBeGreaterThan(0);
    expect(result.vsRawBulk).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/round 1: pipeline \d+ ms, raw _bulk \d+ ms/);
    expect(run.stderr).toMatch(
      /_bulk requests per round \(medians\): out \d+ ms for the pipeline, \d+ ms raw .*between them \d+ ms and \d+ ms/,
    );
  }, 60_000);
});
