import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type TopicKey } from '../../functions/topology/topology';
import { kafkaResourceArn, routerConsumerGroup } from '../../infra/router/router-kafka-source';
import { IMPORTED_STAGE, resourcesOf, synthStage } from './support/synth';

const CLUSTER = IMPORTED_STAGE.kafka.clusterArn;
const TOPIC_KEYS = Object.keys(TOPICS) as TopicKey[];

function routerMappings(overrides: object) {
  const stage = synthStage({ ...IMPORTED_STAGE, ...overrides });
  const template = stage.template(stage.stacks.pipeline);
  const mappings = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping'))
    .map((r) => r.Properties)
    .filter((p) => p.EventSourceArn === CLUSTER);
  return { stage, template, mappings };
}

describe('router MSK event source (on-demand, the default)', () => {
  let synthesized: ReturnType<typeof routerMappings>;
  beforeAll(() => {
    synthesized = routerMappings({
      router: { batchSize: 250, batchingWindowSeconds: 2, startingPosition: 'LATEST' },
    });
  });

  it('maps every topic with its own consumer group, position, batch size and window', () => {
    const { mappings } = synthesized;
    expect(mappings).toHaveLength(TOPIC_KEYS.length);
    for (const key of TOPIC_KEYS) {
      const mapping = mappings.find((m) => (m.Topics as string[])[0] === TOPICS[key].name);
      expect(mapping, key).toMatchObject({
        AmazonManagedKafkaEventSourceConfig: {
          ConsumerGroupId: `sluice-test-router-${TOPICS[key].name.replace('.', '-')}`,
        },
        StartingPosition: 'LATEST',
        BatchSize: 250,
        MaximumBatchingWindowInSeconds: 2,
      });
      // On-demand mode has none of the error-handling controls.
      for (const control of [
        'ProvisionedPollerConfig',
        'MaximumRetryAttempts',
        'MaximumRecordAgeInSeconds',
        'BisectBatchOnFunctionError',
        'DestinationConfig',
        'FunctionResponseTypes',
      ]) {
        expect(mapping?.[control], `${key} ${control}`).toBeUndefined();
      }
    }
  });

  it('runs the router outside the VPC, failing whole batches (no partial responses)', () => {
    const { template, stage } = synthesized;
    const router = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).find(
      (f) => f.Properties.FunctionName === 'sluice-test-router',
    );
    expect(router?.Properties.VpcConfig).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'sluice-test-router',
      Environment: {
        Variables: Match.objectLike({
          SLUICE_REPORT_BATCH_ITEM_FAILURES: 'false',
          SLUICE_STAGE: 'test',
        }),
      },
    });
    expect(stage.config.router.mode).toBe('on-demand');
  });

  it('grants IAM access to exactly those topics and groups (and replay groups by prefix)', () => {
    const { template } = synthesized;
    const statements = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).flatMap(
      (p) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement,
    );
    const find = (action: string) =>
      statements.find((s) => ([] as string[]).concat(s.Action as string).includes(action));
    expect(find('kafka-cluster:Connect')?.Resource).toBe(CLUSTER);
    expect(find('kafka-cluster:ReadData')?.Resource).toEqual(
      TOPIC_KEYS.map((k) => kafkaResourceArn(CLUSTER, 'topic', TOPICS[k].name)),
    );
    expect(find('kafka-cluster:AlterGroup')?.Resource).toEqual([
      ...TOPIC_KEYS.map((k) => kafkaResourceArn(CLUSTER, 'group', routerConsumerGroup('test', k))),
      kafkaResourceArn(CLUSTER, 'group', 'sluice-test-replay-*'),
    ]);
    expect(kafkaResourceArn(CLUSTER, 'topic', 'orders.events')).toBe(
      'arn:aws:kafka:eu-west-1:123456789012:topic/shop-events/6f1f6c3e-1111-2222-3333-444455556666-7/orders.events',
    );
  });
});

describe('router MSK event source (provisioned mode)', () => {
  it('keeps every record by default: retries -1, record age -1, no destination', () => {
    const { mappings, template } = routerMappings({ router: { mode: 'provisioned' } });
    expect(mappings).toHaveLength(TOPIC_KEYS.length);
    for (const mapping of mappings) {
      expect(mapping).toMatchObject({
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 2 },
        MaximumRetryAttempts: -1,
        MaximumRecordAgeInSeconds: -1,
        BisectBatchOnFunctionError: false,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      expect(mapping.DestinationConfig).toBeUndefined();
    }
    // The router then reports failed offsets instead of failing the batch.
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'sluice-test-router',
      Environment: { Variables: Match.objectLike({ SLUICE_REPORT_BATCH_ITEM_FAILURES: 'true' }) },
    });
  });

  it('sends given-up batches to S3 with put-only access, with the configured controls', () => {
    const bucketArn = 'arn:aws:s3:::shop-router-failures';
    const { mappings, template } = routerMappings({
      router: {
        mode: 'provisioned',
        pollers: { minimum: 2, maximum: 8 },
        errorHandling: {
          retryAttempts: 5,
          maxRecordAgeSeconds: 3600,
          bisectBatchOnError: true,
          onFailure: { type: 's3', arn: bucketArn },
        },
      },
    });
    for (const mapping of mappings) {
      expect(mapping).toMatchObject({
        ProvisionedPollerConfig: { MinimumPollers: 2, MaximumPollers: 8 },
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 3600,
        BisectBatchOnFunctionError: true,
        DestinationConfig: { OnFailure: { Destination: bucketArn } },
      });
    }
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 's3:PutObject', Effect: 'Allow', Resource: `${bucketArn}/*` },
        ]),
      },
    });
  });

  it('sends given-up records to a Kafka topic it may write', () => {
    const { mappings, template } = routerMappings({
      router: {
        mode: 'provisioned',
        errorHandling: { onFailure: { type: 'kafka', topic: 'router.failures' } },
      },
    });
    for (const mapping of mappings) {
      expect(mapping.DestinationConfig).toEqual({
        OnFailure: { Destination: 'kafka://router.failures' },
      });
    }
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
            Resource: kafkaResourceArn(CLUSTER, 'topic', 'router.failures'),
          }),
        ]),
      },
    });
  });

  it('rejects at synth an SQS destination and the controls without provisioned mode', () => {
    expect(() =>
      routerMappings({
        router: {
          mode: 'provisioned',
          errorHandling: {
            onFailure: { type: 'sqs', arn: 'arn:aws:sqs:eu-west-1:123456789012:q' },
          },
        },
      }),
    ).toThrow(/type "sqs" is refused: Kafka mappings send only metadata/);
    expect(() =>
      routerMappings({ router: { errorHandling: { bisectBatchOnError: true } } }),
    ).toThrow(/needs router.mode "provisioned"/);
  });
});

describe('a stage without a cluster', () => {
  it('deploys the router without mappings', () => {
    const stage = synthStage({ kafka: { mode: 'none' } });
    expect(stage.stacks.kafka).toBeUndefined();
    const mappings = Object.values(
      resourcesOf(stage.template(stage.stacks.pipeline), 'AWS::Lambda::EventSourceMapping'),
    );
    // Only SQS mappings: the replay queue and one per job.
    expect(mappings).toHaveLength(6);
    for (const m of mappings) expect(m.Properties.Topics).toBeUndefined();
  });
});
