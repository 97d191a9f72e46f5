/**
 * Guarded redrive of a job DLQ on the local stack, with the real job runtime consuming the
 * job queue in the background: a poisoned canary stops the redrive after N messages (they
 * fail again and are back in the DLQ, nothing else moved); after the fix the same command
 * runs the canary, then moves the rest with a message move task and completes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueDirectory } from '../../../cli/lib/queues';
import type { RedriveReport } from '../../../cli/lib/redrive/redrive';
import type { JobRecords } from '../../../functions/jobs/stores/job-records';
import { PermanentError } from '../../../functions/shared/errors';
import { jobMessage } from '../../support/job-runtime-fakes';
import { eventually, failingJobStage, type Stage, sluice } from './support';

const JOBS = 24;
const CANARY = 4;
let s: Stage;
let queues: QueueDirectory;
let records: JobRecords;
let poisoned = true;
let stopConsumer: () => Promise<void>;
const messages = Array.from({ length: JOBS }, (_, n) => jobMessage('record-commission', n + 1));

const dlqDepth = async () => (await queues.depth(s.url('job-record-commission-dlq'))).total;

beforeAll(async () => {
  // The "Lambda" of the job queue runs for the whole file.
  ({
    s,
    queues,
    records,
    stop: stopConsumer,
  } = await failingJobStage('cnry', 'record-commission', messages, async () => {
    if (poisoned) throw new PermanentError('commission rates missing');
  }));
  expect(await eventually(async () => (await dlqDepth()) === JOBS)).toBe(true);
});

afterAll(async () => {
  await stopConsumer?.();
});

describe('sluice dlq redrive (guarded)', () => {
  it('stops after a poisoned canary: only the canary moved, and it is back in the DLQ', async () => {
    const result = await sluice(
      s.stage,
      `dlq redrive record-commission --canary ${CANARY} --canary-timeout 20 --rate 50`,
    );
    expect(result.code).toBe(3);
    const out = result.stdout;
    expect(out.split('\n')[0]).toBe(
      `job-record-commission-dlq → job-record-commission: ${JOBS} message(s) at start`,
    );
    expect(out).toContain(`Canary: 0 processed, ${CANARY} failed, 0 pending — stop`);
    const rows = out.split('\n').filter((l) => /^job [0-9a-f]{32}\s/.test(l));
    expect(rows).toHaveLength(CANARY);
    for (const row of rows) {
      expect(row).toMatch(/\s+failed\s+dead again\s+PermanentError: commission rates missing$/);
    }
    expect(out).toContain(
      `STOPPED: Stopped after the canary: ${CANARY} of ${CANARY} canary messages failed again (threshold 20%). Nothing else was moved.`,
    );
    expect(out).toContain('sluice dlq show job-record-commission-dlq');
    expect(result.stderr).toContain(`canary: moving ${CANARY} message(s)`);

    // The canary failed again into the DLQ; the others never left it; nothing was lost.
    expect(await dlqDepth()).toBe(JOBS);
    const dead = await Promise.all(messages.map((m) => records.get(m.jobId)));
    expect(dead.every((r) => r?.state === 'dead')).toBe(true);
    const failedTwice = dead.filter((r) => r?.history.length === 2);
    expect(failedTwice).toHaveLength(CANARY);
  });

  it('after the fix, runs the canary, then moves the rest and completes', async () => {
    poisoned = false;
    const result = await sluice(
      s.stage,
      `dlq redrive job-record-commission-dlq --canary ${CANARY} --canary-timeout 20 --rate 50 --settle 15 --poll 300 --json`,
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as RedriveReport;
    expect(report).toMatchObject({
      queue: 'job-record-commission-dlq',
      destination: 'job-record-commission',
      depthAtStart: JOBS,
      outcome: 'completed',
      moved: JOBS,
      canary: { verdict: { go: true, processed: CANARY, failed: 0, pending: 0 } },
      bulk: { status: 'completed', moved: JOBS - CANARY, returned: 0, depthAtStart: JOBS - CANARY },
    });
    expect(report.canary?.outcomes.map((o) => o.detail)).toEqual(
      Array(CANARY).fill('job record completed'),
    );
    // The progress bar went to stderr, never into the JSON.
    expect(result.stderr).toMatch(
      new RegExp(`moving \\[#{24}\\] 100% ${JOBS - CANARY}/${JOBS - CANARY} 0 back in the DLQ`),
    );

    expect(await dlqDepth()).toBe(0);
    expect(
      await eventually(async () => {
        const all = await Promise.all(messages.map((m) => records.get(m.jobId)));
        return all.every((r) => r?.state === 'completed');
      }),
    ).toBe(true);
  });

  it('says so when there is nothing left to redrive', async () => {
    const result = await sluice(s.stage, ['dlq', 'redrive', 'record-commission']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('NOTHING TO DO: job-record-commission-dlq is empty.');
  });
});
