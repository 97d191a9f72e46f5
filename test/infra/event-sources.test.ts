import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type TopicKey } from '../../functions/topology/topology';
import { JOB_NAMES } from '../../functions/workers/jobs';
import { MSK_MAPPING_NETWORK_ACTIONS } from '../../infra/router/router-kafka-source';
import { IMPORTED_STAGE, resourcesOf, type SynthesizedStage, synthStage } from './support/synth';

const TOPIC_KEYS = Object.keys(TOPICS) as TopicKey[];
const mappingsOf = (stage: SynthesizedStage) =>
  Object.entries(
    resourcesOf(stage.template(stage.stacks.pipeline), 'AWS::Lambda::EventSourceMapping'),
  );
const alarmsOf = (stage: SynthesizedStage) =>
  new Map(
    Object.values(resourcesOf(stage.template(stage.stacks.pipeline), 'AWS::CloudWatch::Alarm')).map(
      (r) => [r.Properties.AlarmName as string, r.Properties],
    ),
  );

describe('event source mapping metrics (MetricsConfig, on by default)', () => {
  let stage: SynthesizedStage;
  beforeAll(() => {
    stage = synthStage({ ...IMPORTED_STAGE, alarms: { offsetLag: 2000, failedInvokePeriods: 4 } });
  });

  it('asks the MSK mappings for event counts, error counts and offset lag, the SQS ones for event counts', () => {
    const mappings = mappingsOf(stage).map(([, m]) => m.Properties);
    expect(mappings).toHaveLength(TOPIC_KEYS.length + 1 + JOB_NAMES.length);
    for (const mapping of mappings) {
      expect(mapping.MetricsConfig).toEqual({
        Metrics: mapping.Topics ? ['EventCount', 'ErrorCount', 'KafkaMetrics'] : ['EventCount'],
      });
    }
  });

  it('alarms on dropped records and lasting failed invocations of every mapping, and on each topic’s lag', () => {
    const alarms = alarmsOf(stage);
    const keys = [
      'replay',
      ...JOB_NAMES.map((j) => `job-${j}`),
      ...TOPIC_KEYS.map((t) => `kafka-${t}`),
    ];
    const [firstMapping] = mappingsOf(stage).find(([, m]) => m.Properties.Topics) ?? [];
    for (const key of keys) {
      expect(alarms.get(`sluice-test-esm-dropped-${key}`), key).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'DroppedEventCount',
        Statistic: 'Sum',
        Threshold: 1,
        EvaluationPeriods: 1,
        Dimensions: [{ Name: 'EventSourceMappingUUID', Value: { Ref: expect.any(String) } }],
      });
      expect(alarms.get(`sluice-test-esm-failed-${key}`), key).toMatchObject({
        MetricName: 'FailedInvokeEventCount',
        EvaluationPeriods: 4,
      });
    }
    for (const topic of TOPIC_KEYS) {
      expect(alarms.get(`sluice-test-esm-offset-lag-kafka-${topic}`)).toMatchObject({
        MetricName: 'MaxOffsetLag',
        Statistic: 'Maximum',
        Threshold: 2000,
        EvaluationPeriods: 3,
      });
    }
    expect(alarms.size).toBe(keys.length * 2 + TOPIC_KEYS.length);
    // The catalog mapping's alarms name its UUID (Ref of the mapping).
    expect(alarms.get('sluice-test-esm-dropped-kafka-catalog')?.Dimensions).toEqual([
      { Name: 'EventSourceMappingUUID', Value: { Ref: firstMapping } },
    ]);
  });

  it('sends them to the ops topic by its ARN, without a cross-stack reference', () => {
    for (const props of alarmsOf(stage).values()) {
      const action = JSON.stringify(props.AlarmActions);
      expect(action).toContain(':sluice-test-ops');
      expect(action).not.toContain('Fn::ImportValue');
      expect(props.OKActions).toEqual(props.AlarmActions);
    }
  });

  it('draws each mapping on the dashboard sluice-<stage>-event-sources', () => {
    const template = stage.template(stage.stacks.pipeline);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: 'sluice-test-event-sources',
    });
    const body = JSON.stringify(
      Object.values(resourcesOf(template, 'AWS::CloudWatch::Dashboard'))[0]?.Properties
        .DashboardBody,
    );
    for (const name of [
      'PolledEventCount',
      'DroppedEventCount',
      'MaxOffsetLag',
      'CommitErrorCount',
    ]) {
      expect(body).toContain(name);
    }
  });

  it('is a stage setting: off, no MetricsConfig, no mapping alarms, the router’s OffsetLag alarm instead', () => {
    const off = synthStage({ ...IMPORTED_STAGE, eventSourceMetrics: false });
    for (const [, mapping] of mappingsOf(off))
      expect(mapping.Properties.MetricsConfig).toBeUndefined();
    expect(alarmsOf(off).size).toBe(0);
    const names = Object.values(
      resourcesOf(off.template(off.stacks.observability), 'AWS::CloudWatch::Alarm'),
    ).map((r) => r.Properties.AlarmName);
    expect(names).toContain('sluice-test-offset-lag-router');
  });
});

describe('the router’s network', () => {
  it('keeps the EC2 actions the MSK pollers need when the router is outside the VPC', () => {
    const stage = synthStage(IMPORTED_STAGE);
    stage.template(stage.stacks.pipeline).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: [...MSK_MAPPING_NETWORK_ACTIONS], Resource: '*' }),
        ]),
      },
    });
  });

  it('runs the router in the VPC when the stage asks (router.vpc)', () => {
    const stage = synthStage({ ...IMPORTED_STAGE, router: { vpc: true } });
    stage.template(stage.stacks.pipeline).hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'sluice-test-router',
      VpcConfig: { SubnetIds: [...IMPORTED_STAGE.network.privateSubnetIds] },
    });
  });
});

describe('provisioned mode for a worker’s SQS mapping (jobs.<job>.pollers)', () => {
  it('sets the pollers instead of maxConcurrency and reserves no concurrency', () => {
    const stage = synthStage({ jobs: { audit: { pollers: { minimum: 2, maximum: 20 } } } });
    const template = stage.template(stage.stacks.pipeline);
    const audit = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).find(
      (m) => JSON.stringify(m.Properties.FunctionName).includes('JobauditWorker'),
    );
    expect(audit?.Properties).toMatchObject({
      ProvisionedPollerConfig: { MinimumPollers: 2, MaximumPollers: 20 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(audit?.Properties.ScalingConfig).toBeUndefined();
    const fn = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).find(
      (f) => f.Properties.FunctionName === 'sluice-test-job-audit',
    );
    expect(fn?.Properties.ReservedConcurrentExecutions).toBeUndefined();
    // The other workers keep their caps.
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'sluice-test-job-sync-customer',
      ReservedConcurrentExecutions: Match.anyValue(),
    });
  });

  it('rejects at synth a reservation, a maxConcurrency or pollers out of order', () => {
    expect(() =>
      synthStage({
        jobs: { audit: { pollers: { minimum: 2, maximum: 4 }, reservedConcurrency: 4 } },
      }),
    ).toThrow(/jobs.audit.pollers excludes jobs.audit.reservedConcurrency/);
    expect(() =>
      synthStage({ jobs: { audit: { pollers: { minimum: 2, maximum: 4 }, maxConcurrency: 4 } } }),
    ).toThrow(/exclude each other/);
    expect(() => synthStage({ jobs: { audit: { pollers: { minimum: 5, maximum: 4 } } } })).toThrow(
      /pollers.minimum must not exceed/,
    );
  });
});
