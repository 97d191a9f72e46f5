/**
 * `sluice dlq list` and `sluice dlq show` against the local stack, with dead letters written
 * by the real router (ingest) and the real job runtime (job): depth, age and retention per
 * DLQ; failures grouped by fingerprint — in the table a person reads and in `--json` — and
 * nothing consumed by looking.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DlqListReport } from '../../../cli/commands/dlq-list';
import type { DlqShowReport } from '../../../cli/commands/dlq-show';
import { QueueDirectory } from '../../../cli/lib/queues';
import { PermanentError } from '../../../functions/shared/errors';
import { deliver, queueArn, receive } from '../../support/esm';
import { jobMessage } from '../../support/job-runtime-fakes';
import { mskRecord, structuredRecord } from '../../support/msk';
import { loginFailed } from '../../support/sample-events';
import {
  jobHandler,
  provision,
  routeRecords,
  type Stage,
  sluice,
  sqs,
  uniqueStage,
} from './support';

let s: Stage;

beforeAll(async () => {
  s = await provision(uniqueStage('insp'));
  // Three records of a version this code does not know, two that are not JSON.
  await routeRecords(s, [
    ...[0, 1, 2].map((n) =>
      structuredRecord(
        { ...loginFailed(n), dataversion: 2 },
        { topic: 'identity.events', offset: n },
      ),
    ),
    mskRecord({ topic: 'catalog.events', offset: 10, value: 'not json {' }),
    mskRecord({ topic: 'catalog.events', offset: 11, value: 'nor this' }),
  ]);
  // One job that fails for good: the job runtime dead-letters it at once.
  const handler = jobHandler(s, 'audit', async () => {
    throw new PermanentError('audit index missing');
  });
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: s.url('job-audit'),
      MessageBody: JSON.stringify(jobMessage('audit', 1)),
    }),
  );
  const queue = s.url('job-audit');
  await deliver(sqs, queue, await queueArn(sqs, queue), handler, await receive(sqs, queue));
});

describe('sluice dlq list', () => {
  it('shows every DLQ with depth, sampled oldest age and time left before retention', async () => {
    const json = await sluice(s.stage, ['dlq', 'list', '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as DlqListReport;
    expect(report.ageSource).toBe('sampled');
    const byQueue = new Map(report.queues.map((q) => [q.queue, q]));
    expect([...byQueue.keys()].sort()).toEqual(
      [
        'ingest-dlq',
        'job-audit-dlq',
        'job-detect-login-abuse-dlq',
        'job-index-product-dlq',
        'job-record-commission-dlq',
        'job-sync-customer-dlq',
      ].sort(),
    );
    const ingest = byQueue.get('ingest-dlq');
    expect(ingest).toMatchObject({
      exists: true,
      redrivesTo: 'ingest-replay',
      depth: { total: 5 },
      sampled: 5,
    });
    // Written seconds ago. ElasticMQ reports no retention, so the time left is unknown.
    expect(ingest?.oldestAgeSeconds).toBeLessThan(120);
    expect(ingest?.retentionSeconds).toBeUndefined();
    expect(ingest?.secondsLeft).toBeUndefined();
    expect(byQueue.get('job-audit-dlq')?.depth?.total).toBe(1);
    expect(byQueue.get('job-sync-customer-dlq')).toMatchObject({ depth: { total: 0 } });
    expect(byQueue.get('job-sync-customer-dlq')?.oldestAgeSeconds).toBeUndefined();

    const human = await sluice(s.stage, ['dlq', 'list']);
    expect(human.code).toBe(0);
    const lines = human.stdout.split('\n');
    expect(lines[0]).toMatch(/^DLQ\s+DEPTH\s+IN FLIGHT\s+OLDEST\s+RETENTION\s+LEFT\s+REDRIVES TO/);
    expect(lines.find((l) => l.startsWith('ingest-dlq '))).toMatch(
      /^ingest-dlq\s+5\s+0\s+\d+[sm]( \d+s)?\s+\?\s+\?\s+ingest-replay\s+-$/,
    );
    expect(lines.find((l) => l.startsWith('job-audit-dlq '))).toMatch(/^job-audit-dlq\s+1\s/);
    expect(lines.find((l) => l.startsWith('job-sync-customer-dlq '))).toMatch(
      /^job-sync-customer-dlq\s+0\s+0\s+-\s+\?\s+-\s+job-sync-customer/,
    );
    expect(human.stdout).toContain('OLDEST: sampled');
    expect(human.stdout).toContain('RETENTION ?: this SQS does not report MessageRetentionPeriod');
    expect(human.stdout).toContain(`Stage ${s.stage}: 6 dead letters.`);
  });
});

describe('sluice dlq show', () => {
  it('groups failures by fingerprint with counts, times and a sample, and consumes nothing', async () => {
    const json = await sluice(s.stage, ['dlq', 'show', 'ingest-dlq', '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as DlqShowReport;
    expect(report).toMatchObject({ queue: 'ingest-dlq', read: 5, complete: true });
    expect(
      report.groups.map((g) => [g.fingerprint.label, g.count, g.eventTypes, g.reasons]),
    ).toEqual([
      ['RecordRejectedError:/dataversion@integration', 3, ['LOGIN_FAILED'], ['UNKNOWN_VERSION']],
      ['RecordRejectedError:NOT_JSON@integration', 2, [], ['NOT_JSON']],
    ]);
    const [versions, notJson] = report.groups;
    expect(versions?.fingerprint.id).toMatch(/^[0-9a-f]{10}$/);
    expect(versions?.fingerprint.id).not.toBe(notJson?.fingerprint.id);
    expect(versions?.sample.subject).toMatch(/^identity\.events\/0\/[012]$/);
    expect(notJson?.sample.subject).toMatch(/^catalog\.events\/0\/1[01]$/);
    // Both not JSON, each with its own parser message.
    expect(notJson?.distinctMessages).toBe(2);
    expect(versions?.distinctMessages).toBe(1);
    expect(Date.parse(versions?.firstSeen ?? '')).toBeLessThanOrEqual(
      Date.parse(versions?.lastSeen ?? ''),
    );

    // Looking consumed nothing: all five are visible again at once.
    const depth = await new QueueDirectory(sqs, s.stage).depth(s.url('ingest-dlq'));
    expect(depth).toMatchObject({ visible: 5, inFlight: 0 });

    const human = await sluice(s.stage, ['dlq', 'show', 'ingest-dlq']);
    expect(human.code).toBe(0);
    const lines = human.stdout.split('\n');
    expect(lines[0]).toBe(
      `ingest-dlq (sluice-${s.stage}-ingest-dlq): 5 messages read, 2 failure groups`,
    );
    expect(human.stdout).toMatch(
      new RegExp(
        `\\n${versions?.fingerprint.id}\\s+3\\s+\\S+Z\\s+\\S+Z\\s+RecordRejectedError\\s+/dataversion\\s+integration\\s+LOGIN_FAILED\\n`,
      ),
    );
    expect(human.stdout).toMatch(
      new RegExp(`\\n${notJson?.fingerprint.id}\\s+2\\s+.*NOT_JSON\\s+integration\\s+-\\n`),
    );
    expect(human.stdout).toMatch(
      new RegExp(
        `\\n${notJson?.fingerprint.id}\\s+catalog\\.events/0/1[01]\\s+NOT_JSON\\s+.*\\(\\+1 other messages\\)\\n`,
      ),
    );
    expect(human.stdout).toContain(
      `sluice dlq redrive ingest-dlq --group ${versions?.fingerprint.id}`,
    );
  });

  it('finds a job DLQ by job name and shows the job failure', async () => {
    const human = await sluice(s.stage, ['dlq', 'show', 'audit']);
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')[0]).toBe(
      `job-audit-dlq (sluice-${s.stage}-job-audit-dlq): 1 message read, 1 failure group`,
    );
    expect(human.stdout).toMatch(/PermanentError\s+JOB_FAILED\s+integration/);
    expect(human.stdout).toMatch(/job [0-9a-f]{32}\s+JOB_FAILED\s+audit index missing/);
  });

  it('names the known DLQs when asked for one that does not exist', async () => {
    const result = await sluice(s.stage, ['dlq', 'show', 'nope']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Unknown dead-letter queue "nope". Known: ingest-dlq, ');
  });
});
