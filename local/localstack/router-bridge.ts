/**
 * Kafka → the router function deployed on LocalStack, whose free tier has no MSK event
 * source mapping: the local event-source emulation consumes each topic with the consumer group
 * and the mapping settings the stage's CDK stack would give the MSK mapping, and invokes the
 * deployed function with each MSK-shaped batch through the Lambda API. The SQS mappings
 * (replay, jobs) are LocalStack's own and are not started here.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MSKEvent } from 'aws-lambda';
import { resourceName } from '../../functions/topology/naming';
import { ROUTER_QUEUES, type TopicKey } from '../../functions/topology/topology';
import { RouterKafkaSource } from '../../infra/router/router-kafka-source';
import { type RunningEventSources, startEventSources } from '../event-sources/event-sources';
import { stageMappings } from '../event-sources/stage-mappings';
import type { InvocationReport } from '../event-sources/stats';
import { lambdaHandler } from './lambda-handler';
import { cdkJsonStageConfig } from './stage-config';

export interface RouterBridgeOptions {
  readonly stage: string;
  readonly lambda: LambdaClient;
  readonly sqs: SQSClient;
  readonly bootstrapBrokers: readonly string[];
  /** Per-run topics in tests; the topology's names by default. */
  readonly topicName?: (topic: TopicKey) => string;
  readonly onInvoke?: (report: InvocationReport) => void;
}

export interface RouterBridge {
  readonly eventSources: RunningEventSources;
  readonly routerFunction: string;
  /** The topic and consumer group of each mapping, e.g. to read the lag. */
  readonly consumerGroups: ReadonlyArray<{ readonly topic: string; readonly group: string }>;
}

/**
 * @example
 * ```ts
 * const bridge = await startRouterBridge({ stage: 'localstack', lambda, sqs, bootstrapBrokers });
 * await bridge.eventSources.stop();
 * ```
 */
export async function startRouterBridge(options: RouterBridgeOptions): Promise<RouterBridge> {
  const { stage } = options;
  const config = cdkJsonStageConfig(stage);
  const routerFunction = resourceName(stage, 'router');
  const { QueueUrl } = await options.sqs.send(
    new GetQueueUrlCommand({ QueueName: resourceName(stage, ROUTER_QUEUES.replay) }),
  );
  const { kafka } = stageMappings({
    stage,
    queueUrls: new Map([[ROUTER_QUEUES.replay, QueueUrl as string]]),
    bootstrapBrokers: options.bootstrapBrokers,
    ...(options.topicName ? { topicName: options.topicName } : {}),
    handlers: {
      router: lambdaHandler<MSKEvent, unknown>(options.lambda, routerFunction),
      replay: async () => undefined,
      jobs: {},
    },
    router: {
      batchSize: config.router.batchSize,
      maxBatchingWindowSeconds: config.router.batchingWindowSeconds,
      reportBatchItemFailures: RouterKafkaSource.reportsBatchItemFailures(config.router),
      startingPosition: config.router.startingPosition,
    },
  });
  const eventSources = await startEventSources({
    kafka,
    ...(options.onInvoke ? { onInvoke: options.onInvoke } : {}),
  });
  return {
    eventSources,
    routerFunction,
    consumerGroups: kafka.map((m) => ({ topic: m.topic, group: m.consumerGroupId })),
  };
}
