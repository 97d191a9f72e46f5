/**
 * bench:cost end to end on a small input against the local services: the last stdout line is
 * the JSON summary with its exact shape, every count is positive, and the SQS requests are at
 * least what the jobs alone need (a send, a receive and a delete per ten jobs). No thresholds
 * on dollars or speed here: `npm run bench:cost` measures those.
 */
import { describe, expect, it } from 'vitest';
import { runBench } from '../../support/run-bench';

interface Summary {
  usdPerMillionEvents: number;
  requestsPer1000Events: { sqs: number; dynamodb: number; s3: number; lambdaInvocations: number };
  lambdaGbSecondsPerMillion: number;
  eventsPerSecond: number;
}

describe('bench:cost', () => {
  it('prints the per-item tables on stderr and the JSON summary as its last stdout line', () => {
    const { summary, stderr } = runBench<Summary>('bench/cost.ts', ['--events', '200'], 170_000);
    // Exactly these keys, each a number.
    expect(summary).toEqual({
      usdPerMillionEvents: expect.any(Number),
      requestsPer1000Events: {
        sqs: expect.any(Number),
        dynamodb: expect.any(Number),
        s3: expect.any(Number),
        lambdaInvocations: expect.any(Number),
      },
      lambdaGbSecondsPerMillion: expect.any(Number),
      eventsPerSecond: expect.any(Number),
    });
    expect(summary.usdPerMillionEvents).toBeGreaterThan(0);
    expect(summary.lambdaGbSecondsPerMillion).toBeGreaterThan(0);
    expect(summary.eventsPerSecond).toBeGreaterThan(0);
    const { sqs, dynamodb, s3, lambdaInvocations } = summary.requestsPer1000Events;
    expect(dynamodb).toBeGreaterThan(0);
    // No dead letter of the shop is large enough for a claim check in S3.
    expect(s3).toBeGreaterThanOrEqual(0);
    expect(lambdaInvocations).toBeGreaterThan(0);
    // Every valid event becomes at least one job (the audit trail): sent, received and
    // deleted in batches of at most ten, so at least 3 SQS requests per ten jobs.
    expect(sqs).toBeGreaterThanOrEqual((3 * 1000 * 0.9) / 10);
    expect(stderr).toMatch(/Per item \(\d+ events/);
    expect(stderr).toMatch(/emulated poller/);
    // The shop's invalid records are dead-lettered through the ledger's table.
    expect(stderr).toMatch(/dynamodb UpdateItem WRU +router +[1-9]/);
    expect(stderr).toMatch(/dynamodb BatchGetItem RRU +router +[1-9]/);
    expect(stderr).toMatch(/Per function or job/);
  }, 180_000);
});
