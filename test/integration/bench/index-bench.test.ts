/**
 * bench:index end to end on a tiny input against the local services: its untimed checks
 * (no failed job, every document searchable in both indexes, sampled documents identical)
 * pass, and the last stdout line is the JSON summary with an exact bulk-request count.
 * No timing thresholds here: targets are read from `npm run bench:index`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

describe('bench:index', () => {
  it('prints docsPerSecond, vsRawBulk and an exact bulkRequestsPer1000 as its last line', () => {
    // 250 documents in batches of 100: three bulk requests, 12 per 1000 documents.
    const run = spawnSync(
      'npx',
      ['tsx', 'bench/index-product.ts', '--docs', '250', '--batch', '100', '--rounds', '1'],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status, run.stderr.slice(-2_000)).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0] as string) as Record<string, number>;
    expect(Object.keys(result).sort()).toEqual([
      'bulkRequestsPer1000',
      'docsPerSecond',
      'vsRawBulk',
    ]);
    expect(result.bulkRequestsPer1000).toBe(12);
    expect(result.docsPerSecond).toBeGreaterThan(0);
    expect(result.vsRawBulk).toBeGreaterThan(0);
    expect(run.stderr).toMatch(/round 1: pipeline \d+ ms, raw _bulk \d+ ms/);
  }, 60_000);
});
