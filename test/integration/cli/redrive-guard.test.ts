/**
 * The guard of the bulk phase: the canary passes, but the messages moved after it keep
 * failing (a fault that only shows at scale); the redrive cancels its move task by itself
 * once failures stay above the threshold, and every message is still accounted for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueDirectory } from '../../../cli/lib/queues';
import type { JobRecords } from '../../../functions/jobs/stores/job-records';
import { PermanentError } from '../../../functions/shared/errors';
import { jobMessage } from '../../support/job-runtime-fakes';
import { eventually, failingJobStage, type Stage, sluice } from './support';

const JOBS = 40;
const CANARY = 4;
let s: Stage;
let queues: QueueDirectory;
let records: JobRecords;
let mode: 'broken' | 'canary-only' = 'broken';
let successes = 0;
let stopConsumer: () => Promise<void>;
const messages = Array.from({ length: JOBS }, (_, n) => jobMessage('sync-customer', n + 1));

const depth = async (logical: string) => (await queues.depth(s.url(logical))).total;

beforeAll(async () => {
  ({
    s,
    queues,
    records,
    stop: stopConsumer,
  } = await failingJobStage('grd', 'sync-customer', messages, async () => {
    // After the "fix" only the first few succeed: enough for the canary, not for the rest.
    if (mode === 'canary-only' && successes < CANARY) {
      successes++;
      return;
    }
    throw new PermanentError('customer store rejects the write');
  }));
  expect(await eventually(async () => (await depth('job-sync-customer-dlq')) === JOBS)).toBe(true);
});

afterAll(async () => {
  await stopConsumer?.();
});

describe('sluice dlq redrive, bulk guard', () => {
  it('cancels the move task when failures stay above the threshold, losing nothing', async () => {
    mode = 'canary-only';
    const result = await sluice(
      s.stage,
      `dlq redrive sync-customer --canary ${CANARY} --rate 5 --threshold 0.2 --min-sample 5 --patience 2 --poll 300 --settle 10`,
    );
    expect(result.code).toBe(3);
    const out = result.stdout;
    expect(out).toContain(`Canary: ${CANARY} processed, 0 failed, 0 pending — go`);
    const task = /Move task: stopped, (\d+) moved, (\d+) came back/.exec(out);
    expect(task).not.toBeNull();
    const moved = Number(task?.[1]);
    // Stopped well before the 36 messages after the canary had all been moved.
    expect(moved).toBeGreaterThanOrEqual(5);
    expect(moved).toBeLessThan(JOBS - CANARY);
    expect(out).toContain(
      `STOPPED: Stopped: ${task?.[2]} of ${moved} moved messages came back — failures stayed above 20% for 2 checks, so the move task was cancelled. ${JOBS - CANARY - moved} message(s) were not moved and stay in job-sync-customer-dlq.`,
    );
    expect(result.stderr).toMatch(/moving \[[#-]{24}\] +\d+% \d+\/\d+ \d+ back in the DLQ/);

    // Everything is accounted for: the canary completed, every other job is dead in the DLQ.
    expect(
      await eventually(
        async () =>
          (await depth('job-sync-customer')) === 0 &&
          (await depth('job-sync-customer-dlq')) === JOBS - CANARY,
      ),
    ).toBe(true);
    const states = await Promise.all(messages.map((m) => records.get(m.jobId)));
    expect(states.filter((r) => r?.state === 'completed')).toHaveLength(CANARY);
    expect(states.filter((r) => r?.state === 'dead')).toHaveLength(JOBS - CANARY);
    // Moved messages failed a second time; the ones the guard kept back failed only once.
    expect(states.filter((r) => r?.state === 'dead' && r.history.length === 2)).toHaveLength(moved);
  });
});
