/**
 * The pipeline's queues, claim-check bucket, router and replay functions — all derived from
 * the topology module. (Workers, VPC, OpenSearch, tables and alarms come in later stacks.)
 */
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { ManagedKafkaEventSource, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { resourceName } from '../../functions/topology/naming';
import { queueTopology, ROUTER_QUEUES, TOPICS } from '../../functions/topology/topology';
import type { StageConfig } from '../config';
import { SluiceFunction } from '../constructs/sluice-function';

/** 14 days, SQS's maximum: a dead letter must outlive the message it came from. */
export const DLQ_RETENTION = Duration.days(14);
/** Sources keep messages 4 days (SQS's default), well inside their DLQ's retention. */
export const SOURCE_RETENTION = Duration.days(4);
export const ROUTER_TIMEOUT = Duration.minutes(2);
export const REPLAY_TIMEOUT = Duration.minutes(1);

export interface PipelineStackProps extends StackProps {
  readonly config: StageConfig;
  readonly codeVersion: string;
}

export class PipelineStack extends Stack {
  readonly queues = new Map<string, Queue>();

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const name = (logical: string) => resourceName(config.stage, logical);

    for (const spec of queueTopology()) {
      const isDlq = spec.deadLetterQueue === undefined;
      const sourceOf = queueTopology().find((q) => q.deadLetterQueue === spec.name);
      const queue = new Queue(this, `Queue-${spec.name}`, {
        queueName: name(spec.name),
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: isDlq ? DLQ_RETENTION : SOURCE_RETENTION,
        ...(spec.name === ROUTER_QUEUES.replay
          ? { visibilityTimeout: Duration.seconds(REPLAY_TIMEOUT.toSeconds() * 6) }
          : {}),
        ...(spec.deadLetterQueue
          ? {
              deadLetterQueue: {
                queue: this.queues.get(spec.deadLetterQueue) as Queue,
                maxReceiveCount: spec.maxReceiveCount ?? 10,
              },
            }
          : {}),
        ...(sourceOf
          ? {
              // Only the queue it serves may redrive into this DLQ. The source's ARN is built
              // from its name: a reference would make the two queues depend on each other.
              redriveAllowPolicy: {
                redrivePermission: RedrivePermission.BY_QUEUE,
                sourceQueues: [
                  Queue.fromQueueArn(
                    this,
                    `Source-${spec.name}`,
                    this.formatArn({ service: 'sqs', resource: name(sourceOf.name) }),
                  ),
                ],
              },
            }
          : {}),
      });
      this.queues.set(spec.name, queue);
    }

    const claimCheck = new Bucket(this, 'ClaimCheck', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-claim-checks', expiration: Duration.days(30) }],
    });

    const environment = {
      SLUICE_STAGE: config.stage,
      SLUICE_QUEUE_URL_BASE: `https://sqs.${this.region}.${this.urlSuffix}/${this.account}/`,
      SLUICE_CLAIM_CHECK_BUCKET: claimCheck.bucketName,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    const router = new SluiceFunction(this, 'Router', {
      entry: 'functions/router/handler.ts',
      codeVersion: props.codeVersion,
      timeout: ROUTER_TIMEOUT,
      memorySize: 1024,
      environment,
    }).function;
    const replay = new SluiceFunction(this, 'Replay', {
      entry: 'functions/router/replay-handler.ts',
      codeVersion: props.codeVersion,
      timeout: REPLAY_TIMEOUT,
      environment,
    }).function;

    for (const fn of [router, replay]) {
      for (const [logical, queue] of this.queues) {
        const isJobQueue = logical.startsWith('job-') && !logical.endsWith('-dlq');
        if (logical === ROUTER_QUEUES.ingestDlq || isJobQueue) {
          queue.grantSendMessages(fn);
        }
      }
      claimCheck.grantPut(fn);
    }
    claimCheck.grantRead(replay);
    replay.addEventSource(
      new SqsEventSource(this.queues.get(ROUTER_QUEUES.replay) as Queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );

    if (config.mskClusterArn) {
      for (const topic of Object.values(TOPICS)) {
        router.addEventSource(
          new ManagedKafkaEventSource({
            clusterArn: config.mskClusterArn,
            topic: topic.name,
            consumerGroupId: name(`router-${topic.name.replace(/\./g, '-')}`),
            startingPosition: StartingPosition.TRIM_HORIZON,
            batchSize: config.routerBatchSize,
            maxBatchingWindow: Duration.seconds(config.routerBatchingWindowSeconds),
          }),
        );
      }
    }
  }
}
