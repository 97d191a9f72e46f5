import {
  CreateEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CliError } from '../../../../../cli/lib/io';
import { type AwsReplayRequest, startAwsReplay } from '../../../../../cli/lib/replay/aws-replay';
import { OFFLINE_AWS } from '../../../../support/offline-aws';

const lambda = new LambdaClient(OFFLINE_AWS);
const mock = mockClient(lambda);
const cluster = 'arn:aws:kafka:eu-west-1:123456789012:cluster/sluice/abc-1';
const at = new Date('2026-11-28T10:00:00.000Z');

const request = (overrides: Partial<AwsReplayRequest> = {}): AwsReplayRequest => ({
  functionName: 'sluice-prod-router',
  topic: 'orders.events',
  from: { kind: 'timestamp', at },
  consumerGroupId: 'sluice-prod-replay-orders-events-20261128T100000',
  batchSize: 100,
  ...overrides,
});

beforeEach(() => {
  mock.reset();
  mock.on(ListEventSourceMappingsCommand).resolvesOnce({
    EventSourceMappings: [
      { UUID: 'sqs-1', EventSourceArn: 'arn:aws:sqs:eu-west-1:123456789012:q', Topics: undefined },
      {
        UUID: 'live-catalog',
        EventSourceArn: cluster,
        Topics: ['catalog.events'],
        BatchSize: 500,
      },
    ],
    NextMarker: 'page-2',
  });
  mock.on(ListEventSourceMappingsCommand, { Marker: 'page-2' }).resolves({
    EventSourceMappings: [
      {
        UUID: 'live-orders',
        EventSourceArn: cluster,
        Topics: ['orders.events'],
        BatchSize: 250,
        MaximumBatchingWindowInSeconds: 2,
        SourceAccessConfigurations: [{ Type: 'VPC_SUBNET', URI: 'subnet:subnet-1' }],
      },
    ],
  });
  mock.on(CreateEventSourceMappingCommand).resolves({ UUID: 'replay-uuid', State: 'Creating' });
});

describe('startAwsReplay', () => {
  it('creates an AT_TIMESTAMP mapping with its own consumer group, copying the live mapping of the topic', async () => {
    const started = await startAwsReplay(lambda, request());
    const calls = mock.commandCalls(CreateEventSourceMappingCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      FunctionName: 'sluice-prod-router',
      EventSourceArn: cluster,
      Topics: ['orders.events'],
      StartingPosition: 'AT_TIMESTAMP',
      StartingPositionTimestamp: at,
      AmazonManagedKafkaEventSourceConfig: {
        ConsumerGroupId: 'sluice-prod-replay-orders-events-20261128T100000',
      },
      BatchSize: 250,
      MaximumBatchingWindowInSeconds: 2,
      SourceAccessConfigurations: [{ Type: 'VPC_SUBNET', URI: 'subnet:subnet-1' }],
      Enabled: true,
    });
    expect(started).toMatchObject({
      uuid: 'replay-uuid',
      copiedFrom: 'live-orders',
      eventSourceArn: cluster,
      startingPositionTimestamp: '2026-11-28T10:00:00.000Z',
      followUp: { delete: 'aws lambda delete-event-source-mapping --uuid replay-uuid' },
    });
  });

  it('refuses offsets, --to and --partition, explaining why, without calling Lambda', async () => {
    const cases: Array<[Partial<AwsReplayRequest>, string]> = [
      [{ from: { kind: 'offset', offset: 42n } }, 'never at an offset'],
      [{ to: { kind: 'timestamp', at } }, '--to is not supported'],
      [{ partition: 3 }, 'reads every partition'],
      [{ from: { kind: 'timestamp', at: new Date(Date.now() + 3_600_000) } }, 'in the future'],
    ];
    for (const [overrides, why] of cases) {
      const error = await startAwsReplay(lambda, request(overrides)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(2);
      expect((error as CliError).message).toContain(why);
    }
    expect(mock.calls()).toHaveLength(0);
  });

  it('says so when the router has no MSK mapping for the topic', async () => {
    const error = await startAwsReplay(lambda, request({ topic: 'customers.events' })).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe(
      'sluice-prod-router has no MSK event source mapping for topic customers.events to copy the cluster from (--function, --stage?).',
    );
    expect(mock.commandCalls(CreateEventSourceMappingCommand)).toHaveLength(0);
  });
});
