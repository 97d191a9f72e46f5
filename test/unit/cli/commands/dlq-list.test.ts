import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { type DlqListReport, renderDlqList } from '../../../../cli/commands/dlq-list';
import { cloudWatchOldestAges } from '../../../../cli/lib/oldest-age';
import { OFFLINE_AWS } from '../../../support/offline-aws';

describe('cloudWatchOldestAges', () => {
  it('asks for the latest ApproximateAgeOfOldestMessage of each queue and maps the answers back', async () => {
    const cloudwatch = new CloudWatchClient(OFFLINE_AWS);
    const mock = mockClient(cloudwatch);
    mock
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [{ Id: 'q1', Values: [7200, 7140] }],
        NextToken: 'more',
      })
      .resolvesOnce({ MetricDataResults: [{ Id: 'q0', Values: [] }] });
    const now = new Date('2026-11-28T12:00:00.000Z');
    const ages = await cloudWatchOldestAges(
      cloudwatch,
      ['sluice-prod-ingest-dlq', 'sluice-prod-job-audit-dlq'],
      now,
    );
    expect([...ages]).toEqual([['sluice-prod-job-audit-dlq', 7200]]);
    const input = mock.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      StartTime: new Date('2026-11-28T11:45:00.000Z'),
      EndTime: now,
      ScanBy: 'TimestampDescending',
    });
    expect(input?.MetricDataQueries?.[1]).toEqual({
      Id: 'q1',
      ReturnData: true,
      MetricStat: {
        Metric: {
          Namespace: 'AWS/SQS',
          MetricName: 'ApproximateAgeOfOldestMessage',
          Dimensions: [{ Name: 'QueueName', Value: 'sluice-prod-job-audit-dlq' }],
        },
        Period: 60,
        Stat: 'Maximum',
      },
    });
    expect(mock.commandCalls(GetMetricDataCommand)[1]?.args[0].input.NextToken).toBe('more');
  });
});

describe('renderDlqList', () => {
  const depth = (total: number) => ({ visible: total, inFlight: 0, delayed: 0, total });
  const report: DlqListReport = {
    stage: 'prod',
    ageSource: 'cloudwatch',
    problems: ['job-audit-dlq: move tasks unavailable: AccessDenied'],
    queues: [
      {
        queue: 'ingest-dlq',
        name: 'sluice-prod-ingest-dlq',
        exists: true,
        redrivesTo: 'ingest-replay',
        depth: depth(1200),
        oldestAgeSeconds: 13 * 86_400,
        retentionSeconds: 14 * 86_400,
        secondsLeft: 86_400,
        moveTask: { status: 'RUNNING', moved: 300, toMove: 1500 },
      },
      {
        queue: 'job-audit-dlq',
        name: 'sluice-prod-job-audit-dlq',
        exists: true,
        redrivesTo: 'job-audit',
        depth: depth(0),
        retentionSeconds: 14 * 86_400,
      },
      {
        queue: 'job-sync-customer-dlq',
        name: 'sluice-prod-job-sync-customer-dlq',
        exists: false,
        redrivesTo: 'job-sync-customer',
      },
    ],
  };

  it('flags a DLQ whose oldest message expires within two days, and a missing queue', () => {
    const text = renderDlqList(report);
    const lines = text.split('\n');
    expect(lines[1]).toMatch(
      /^ingest-dlq\s+1,200\s+0\s+13d\s+14d\s+1d !\s+ingest-replay\s+moving 300\/1500$/,
    );
    expect(lines[2]).toMatch(/^job-audit-dlq\s+0\s+0\s+-\s+14d\s+-\s+job-audit\s+-$/);
    expect(lines[3]).toMatch(/^job-sync-customer-dlq\s+missing\s+job-sync-customer$/);
    expect(text).toContain('OLDEST: CloudWatch ApproximateAgeOfOldestMessage');
    expect(text).toContain(
      '! ingest-dlq: its oldest message is deleted by retention in 1d — redrive or archive it first.',
    );
    expect(text).toContain(
      '! job-sync-customer-dlq: queue sluice-prod-job-sync-customer-dlq does not exist.',
    );
    expect(text).toContain('Stage prod: 1,200 dead letters.');
    expect(text).toContain('! job-audit-dlq: move tasks unavailable: AccessDenied');
  });
});
