/**
 * bench:cost end to end on a small input against the local services: the last stdout line is
 * the JSON summary with its exact shape, every count is positive, and the SQS requests are at
 * least what the jobs alone need (a send, a receive and a delete per ten jobs). No thresholds
 * on dollars or speed here: `npm run bench:cost` measures those.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

interface Summary {
  usdPerMillionEvents: number;
  requestsPer1000Events: { sqs: number; dynamodb: number; s3: number; lambdaInvocations: number };
  lambdaGbSecondsPerMillion: number;
  eventsPerSecond: number;
}

describe('bench:cost', () => {
  it('prints the per-item tables on stderr and the JSON summary as its last stdout line', () => {
    const run = spawnSync('npx', ['tsx', 'bench/cost.ts', '--events', '200'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 170_000,
    });
    expect(run.status, run.stderr.slice(-3_000)).toBe(0);
    const lines = run.stdout.trim().split('\n');
    const summary = JSON.parse(lines.at(-1) as string) as Summary;
    expect(Object.keys(summary).sort()).toEqual([
      'eventsPerSecond',
      'lambdaGbSecondsPerMillion',
      'requestsPer1000Events',
      'usdPerMillionEvents',
    ]);
    expect(Object.keys(summary.requestsPer1000Events).sort()).toEqual([
      'dynamodb',
      'lambdaInvocations',
      's3',
      'sqs',
    ]);
    expect(summary.usdPerMillionEvents).toBeGreaterThan(0);
    expect(summary.lambdaGbSecondsPerMillion).toBeGreaterThan(0);
    expect(summary.eventsPerSecond).toBeGreaterThan(0);
    const { sqs, dynamodb, s3, lambdaInvocations } = summary.requestsPer1000Events;
    expect(dynamodb).toBeGreaterThan(0);
    // The shop's invalid records are dead-lettered through the S3 ledger.
    expect(s3).toBeGreaterThan(0);
    expect(lambdaInvocations).toBeGreaterThan(0);
    // Every valid event becomes at least one job (the audit trail): sent, received and
    // deleted in batches of at most ten, so at least 3 SQS requests per ten jobs.
    expect(sqs).toBeGreaterThanOrEqual((3 * 1000 * 0.9) / 10);
    expect(run.stderr).toMatch(/Per item \(\d+ events/);
    expect(run.stderr).toMatch(/emulated poller/);
    expect(run.stderr).toMatch(/Per function or job/);
  }, 180_000);
});
