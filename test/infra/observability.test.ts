import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../functions/topology/topology';
import { JOB_NAMES } from '../../functions/workers/jobs';
import { resourcesOf, type SynthesizedStage, synthStage } from './support/synth';

type AlarmProps = Record<string, unknown> & {
  AlarmName: string;
  MetricName?: string;
  Namespace?: string;
  Dimensions?: { Name: string; Value: unknown }[];
  Threshold: number;
  Metrics?: { Id: string; Expression?: string; MetricStat?: { Metric: Record<string, unknown> } }[];
};
let stage: SynthesizedStage;
let alarms: Map<string, AlarmProps>;

beforeAll(() => {
  stage = synthStage({
    alarms: { email: 'ops@example.com', oldestMessageAgeSeconds: 1800, offsetLag: 5000 },
  });
  alarms = new Map(
    Object.values(
      resourcesOf(stage.template(stage.stacks.observability), 'AWS::CloudWatch::Alarm'),
    ).map((r) => [r.Properties.AlarmName as string, r.Properties as AlarmProps]),
  );
});

const alarm = (id: string) => {
  const found = alarms.get(`sluice-test-${id}`);
  if (!found) throw new Error(`no alarm ${id}; have ${[...alarms.keys()].join(', ')}`);
  return found;
};
const dlqs = ['ingest-dlq', ...JOB_NAMES.map((j) => `job-${j}-dlq`)].map((q) => `sluice-test-${q}`);
const sources = ['ingest-replay', ...JOB_NAMES.map((j) => `job-${j}`)].map(
  (q) => `sluice-test-${q}`,
);
const functions = ['router', 'replay', ...JOB_NAMES.map((j) => `job-${j}`)];

describe('alarms', () => {
  it('fires on any message visible in any DLQ', () => {
    for (const dlq of dlqs) {
      expect(alarm(`dlq-visible-${dlq}`)).toMatchObject({
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: dlq }],
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('fires on DLQ growth and before retention drops a dead letter', () => {
    for (const dlq of dlqs) {
      const growth = alarm(`dlq-growth-${dlq}`);
      expect(growth.Threshold).toBe(10);
      expect(growth.Metrics?.find((m) => m.Expression)?.Expression).toBe('DIFF(depth)');
      expect(alarm(`dlq-retention-${dlq}`)).toMatchObject({
        MetricName: 'ApproximateAgeOfOldestMessage',
        Threshold: 14 * 86_400 - 72 * 3600,
      });
    }
  });

  it('fires when the oldest message of a source queue is too old', () => {
    for (const source of sources) {
      expect(alarm(`oldest-message-${source}`)).toMatchObject({
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: source }],
        Threshold: 1800,
      });
    }
  });

  it('fires on error rate and throttles of every function', () => {
    for (const fn of functions) {
      const rate = alarm(`error-rate-${fn}`);
      expect(rate.Threshold).toBe(5);
      expect(rate.Metrics?.find((m) => m.Expression)?.Expression).toContain(
        '100 * errors / invocations',
      );
      expect(alarm(`throttles-${fn}`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Throttles',
        Dimensions: [{ Name: 'FunctionName', Value: `sluice-test-${fn}` }],
        Threshold: 1,
      });
    }
  });

  it('fires on the router’s offset lag (without mapping metrics) and on schema-version skew (names from the topology)', () => {
    const withoutMappingMetrics = synthStage({
      eventSourceMetrics: false,
      alarms: { offsetLag: 5000 },
    });
    const lag = Object.values(
      resourcesOf(
        withoutMappingMetrics.template(withoutMappingMetrics.stacks.observability),
        'AWS::CloudWatch::Alarm',
      ),
    ).find((r) => r.Properties.AlarmName === 'sluice-test-offset-lag-router');
    expect(lag?.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'OffsetLag',
      Statistic: 'Maximum',
      Threshold: 5000,
      EvaluationPeriods: 3,
    });
    const skew = alarm('schema-skew').Metrics ?? [];
    const metrics = skew.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric] : []));
    expect(metrics).toEqual([
      {
        Namespace: METRICS.namespace,
        MetricName: METRICS.router.unknownSchemas,
        Dimensions: [{ Name: 'service', Value: 'sluice-router' }],
      },
      {
        Namespace: METRICS.namespace,
        MetricName: METRICS.router.unknownSchemas,
        Dimensions: [{ Name: 'service', Value: 'sluice-replay' }],
      },
    ]);
  });

  it('sends every alarm and its recovery to the encrypted ops topic, and e-mails it', () => {
    const template = stage.template(stage.stacks.observability);
    const topicId = Object.keys(resourcesOf(template, 'AWS::SNS::Topic'))[0];
    // Offset lag is alarmed per mapping by the pipeline stack (mapping metrics are on).
    expect(alarms.size).toBe(dlqs.length * 3 + sources.length + functions.length * 2 + 1);
    for (const props of alarms.values()) {
      expect(props.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(props.OKActions).toEqual([{ Ref: topicId }]);
    }
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'sluice-test-ops',
      KmsMasterKeyId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            // Only alarms of this account may use the key (confused deputy).
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':cloudwatch:',
                      { Ref: 'AWS::Region' },
                      ':',
                      { Ref: 'AWS::AccountId' },
                      ':alarm:*',
                    ],
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('has no offset-lag alarm when the stage has no cluster', () => {
    const noKafka = synthStage({ kafka: { mode: 'none' } });
    const names = Object.values(
      resourcesOf(noKafka.template(noKafka.stacks.observability), 'AWS::CloudWatch::Alarm'),
    ).map((r) => r.Properties.AlarmName);
    expect(names).not.toContain('sluice-test-offset-lag-router');
    expect(names).toContain('sluice-test-schema-skew');
  });
});

describe('dashboard', () => {
  it('shows every queue, DLQ, function and the router’s outcomes by the topology’s names', () => {
    const template = stage.template(stage.stacks.observability);
    const dashboard = Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'))[0];
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const name of [...dlqs, ...sources, ...functions.map((f) => `sluice-test-${f}`)]) {
      expect(body).toContain(name);
    }
    for (const metric of [
      METRICS.router.recordsReceived,
      METRICS.router.jobsEnqueued,
      METRICS.router.recordsSkipped,
      METRICS.router.recordsDeadLettered,
      METRICS.router.unknownSchemas,
      METRICS.jobs.succeeded,
      METRICS.jobs.deadLettered,
      'OffsetLag',
      'Throttles',
      'Duration',
    ]) {
      expect(body).toContain(metric);
    }
  });
});
