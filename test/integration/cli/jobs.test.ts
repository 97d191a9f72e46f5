/**
 * `sluice job show` and `sluice jobs` against job records in the local DynamoDB (moto), in
 * the shape the job runtime writes them: by id, and by type and state newest first through
 * the `jobTypeState` index — as tables and as `--json`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type JobRecord, JobRecords } from '../../../functions/jobs/stores/job-records';
import { resourceName } from '../../../functions/topology/naming';
import { TABLES } from '../../../functions/topology/topology';
import { dynamodb, provision, sluice, uniqueStage } from './support';

let stage: string;

function record(n: number, job: string, state: JobRecord['state'], updatedAt: string): JobRecord {
  const failed = state !== 'completed';
  return {
    jobId: `job-${job}-${n}`,
    job,
    state,
    attempts: failed ? 3 : 1,
    maxAttempts: 3,
    messageId: `msg-${n}`,
    eventId: `evt-${n}`,
    eventType: 'CUSTOMER_UPDATED',
    ...(failed
      ? {
          lastError: { class: 'PermanentError', message: `store rejected ${n}` },
          reason: 'JOB_FAILED',
          firstFailedAt: '2026-11-28T09:00:00.000Z',
          lastFailedAt: updatedAt,
        }
      : {}),
    history: failed
      ? [
          {
            at: '2026-11-28T09:00:00.000Z',
            errorClass: 'TransientError',
            message: 'timeout',
            reason: 'RETRY',
            codeVersion: 'abc123',
          },
          {
            at: updatedAt,
            errorClass: 'PermanentError',
            message: `store rejected ${n}`,
            reason: 'JOB_FAILED',
            codeVersion: 'abc123',
          },
        ]
      : [],
    updatedAt,
  };
}

const audit1 = record(1, 'audit', 'dead', '2026-11-28T10:01:00.000Z');
const audit2 = record(2, 'audit', 'dead', '2026-11-28T10:03:00.000Z');
const audit3 = record(3, 'audit', 'dead', '2026-11-28T10:02:00.000Z');
const auditDone = record(4, 'audit', 'completed', '2026-11-28T10:04:00.000Z');
const customer = record(5, 'sync-customer', 'dead', '2026-11-28T10:02:30.000Z');

beforeAll(async () => {
  stage = uniqueStage('jobs');
  await provision(stage);
  const records = new JobRecords(dynamodb, resourceName(stage, TABLES.jobRecords.name), 3600);
  for (const r of [audit1, audit2, audit3, auditDone, customer]) await records.put(r);
});

describe('sluice jobs', () => {
  it('lists one type in one state, newest first', async () => {
    const json = await sluice(stage, ['jobs', '--type', 'audit', '--state', 'dead', '--json']);
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as { count: number; jobs: JobRecord[] };
    expect(listed.count).toBe(3);
    expect(listed.jobs.map((j) => j.jobId)).toEqual([audit2.jobId, audit3.jobId, audit1.jobId]);
    expect(listed.jobs[0]).toEqual(audit2);

    const human = await sluice(stage, ['jobs', '--type', 'audit', '--state', 'dead']);
    const lines = human.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^JOB ID\s+JOB\s+STATE\s+ATTEMPTS\s+UPDATED\s+EVENT TYPE\s+LAST ERROR$/,
    );
    expect(lines.slice(1, 4).map((l) => l.split(/\s+/)[0])).toEqual([
      audit2.jobId,
      audit3.jobId,
      audit1.jobId,
    ]);
    expect(lines[1]).toMatch(
      /^job-audit-2\s+audit\s+dead\s+3\/3\s+2026-11-28T10:03:00Z\s+CUSTOMER_UPDATED\s+PermanentError: store rejected 2$/,
    );
    expect(human.stdout).toContain('3 job record(s), audit, state dead, newest first.');
  });

  it('merges every job type when --type is left out, and honours --limit', async () => {
    const all = await sluice(stage, ['jobs', '--json']); // state defaults to dead
    const listed = JSON.parse(all.stdout) as { jobs: JobRecord[] };
    expect(listed.jobs.map((j) => j.jobId)).toEqual([
      audit2.jobId,
      customer.jobId,
      audit3.jobId,
      audit1.jobId,
    ]);
    const limited = await sluice(stage, ['jobs', '--state', 'dead', '--limit', '2']);
    expect(limited.stdout.split('\n').filter((l) => l.startsWith('job-'))).toHaveLength(2);
    expect(limited.stdout).toContain('(the newest 2; --limit for more)');
    const completed = await sluice(stage, ['jobs', '--type', 'audit', '--state', 'completed']);
    expect(completed.stdout.split('\n')[1]).toMatch(/^job-audit-4\s+audit\s+completed\s+1\/3\s/);
    const none = await sluice(stage, ['jobs', '--type', 'index-product', '--state', 'retryable']);
    expect(none.stdout).toBe('No job records (index-product, state retryable).\n');
  });

  it('rejects an unknown job type or state', async () => {
    const type = await sluice(stage, ['jobs', '--type', 'nope']);
    expect(type.code).toBe(2);
    expect(type.stderr).toContain('Unknown job type "nope". Known: index-product,');
    const state = await sluice(stage, ['jobs', '--state', 'lost']);
    expect(state.code).toBe(2);
    expect(state.stderr).toContain("argument 'lost' is invalid");
  });
});

describe('sluice job show', () => {
  it('shows one record with its failure history', async () => {
    const json = await sluice(stage, ['job', 'show', audit2.jobId, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(audit2);

    const human = await sluice(stage, ['job', 'show', audit2.jobId]);
    expect(human.code).toBe(0);
    const lines = human.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'job id        job-audit-2',
      'job           audit',
      'state         dead',
      'attempts      3 of 3',
    ]);
    expect(human.stdout).toContain('last error    PermanentError: store rejected 2\n');
    expect(human.stdout).toContain('History (2, oldest first):');
    expect(human.stdout).toMatch(
      /\n2026-11-28T09:00:00Z\s+RETRY\s+TransientError\s+timeout\s+abc123\n2026-11-28T10:03:00Z\s+JOB_FAILED\s+PermanentError\s+store rejected 2\s+abc123\n/,
    );
  });

  it('says where it looked when there is no such record', async () => {
    const result = await sluice(stage, ['job', 'show', 'no-such-job']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      `No job record for no-such-job in sluice-${stage}-job-records.`,
    );
  });
});
