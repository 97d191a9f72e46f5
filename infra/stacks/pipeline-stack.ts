/**
 * The pipeline: the claim-check bucket, the replay queue whose DLQ is the ingest DLQ (so the
 * console's "Start DLQ redrive" works), the router (outside the VPC unless `router.vpc`) with
 * its MSK event source mappings, the replay function, one worker per job from the job
 * definitions, and the fine-grained access mapping of the workers that write to OpenSearch.
 */

import { CfnOutput, Duration, type StackProps } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Bucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { REPLAY_SETTINGS } from '../../functions/topology/queue-settings';
import { queueTopology } from '../../functions/topology/queue-topology';
import {
  type JobName,
  ROUTER_QUEUES,
  TABLES,
  type TableKey,
} from '../../functions/topology/topology';
import { JOB_NAMES, JOBS } from '../../functions/workers/jobs';
import type { StageConfig } from '../config/schema';
import {
  EventSourceMonitoring,
  type MonitoredMapping,
} from '../observability/event-source-monitoring';
import { ClaimCheckStore } from '../queues/claim-check-bucket';
import { QueueWithDlq, visibilityTimeoutFor } from '../queues/queue-with-dlq';
import { RouterFunctions } from '../router/router-functions';
import { RouterKafkaSource } from '../router/router-kafka-source';
import { WorkerSearchAccess } from '../targets/opensearch/access-setup';
import { JobWorker } from '../workers/job-worker';
import { catalogTableName } from './data-stack';
import { logRetention, namer } from './stack-helpers';
import { SluiceStack } from './stack-part';

export interface PipelineStackProps extends StackProps {
  readonly config: StageConfig;
  readonly codeVersion: string;
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  readonly functionSecurityGroup: ISecurityGroup;
  /** Absent when the stage has no cluster (kafka.mode `none`). */
  readonly kafkaClusterArn?: string;
  readonly search: {
    readonly endpointUrl: string;
    readonly domainArn: string;
    readonly accessServiceToken?: string;
  };
}

export class PipelineStack extends SluiceStack {
  readonly claimCheck: Bucket;
  readonly replayQueue: QueueWithDlq;
  readonly router: LambdaFunction;
  readonly replay: LambdaFunction;
  readonly workers = new Map<JobName, JobWorker>();
  readonly kafkaSource?: RouterKafkaSource;
  /** Alarms and dashboard on the mappings' own metrics (`eventSourceMetrics`). */
  readonly mappingMonitoring?: EventSourceMonitoring;

  // The constructor follows the data flow: claim checks and the replay queue, the router and
  // replay functions, the workers with their queues, then what connects and watches them.
  // The parts are StackParts: each resource keeps the logical id it had as the stack's own
  // child (stack-part.ts), and with it the deployed queues, functions and bucket.
  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const sourceRetention = Duration.days(config.queues.sourceRetentionDays);
    const deadLetterRetention = Duration.days(config.queues.dlqRetentionDays);

    this.claimCheck = new ClaimCheckStore(this, 'ClaimCheckStore', {
      expirationDays: config.claimCheckExpirationDays,
    }).bucket;
    const replaySpec = queueTopology().find((q) => q.name === ROUTER_QUEUES.replay);
    this.replayQueue = new QueueWithDlq(this, 'ReplayQueues', {
      stage: config.stage,
      queueName: ROUTER_QUEUES.replay,
      deadLetterQueueName: ROUTER_QUEUES.ingestDlq,
      visibilityTimeout: visibilityTimeoutFor(REPLAY_SETTINGS.timeoutSeconds, 0),
      maxReceiveCount: replaySpec?.maxReceiveCount ?? 5,
      sourceRetention,
      deadLetterRetention,
    });

    const common = {
      SLUICE_STAGE: config.stage,
      SLUICE_QUEUE_URL_BASE: `https://sqs.${this.region}.${this.urlSuffix}/${this.account}/`,
      SLUICE_CLAIM_CHECK_BUCKET: this.claimCheck.bucketName,
    };
    const functionVpc = {
      vpc: props.vpc,
      subnets: props.subnets,
      securityGroups: [props.functionSecurityGroup],
    };
    const tables = tableNames(config);
    const routing = new RouterFunctions(this, 'RouterFunctions', {
      config,
      codeVersion: props.codeVersion,
      environment: common,
      vpc: functionVpc,
      replayQueue: this.replayQueue,
      claimCheck: this.claimCheck,
      ledgerTable: tables.ingestLedger,
    });
    this.router = routing.router.function;
    this.replay = routing.replay.function;

    for (const job of JOB_NAMES) {
      this.workers.set(
        job,
        new JobWorker(this, `Job-${job}`, {
          stage: config.stage,
          definition: JOBS[job],
          overrides: config.jobs[job] ?? {},
          reserveConcurrency: config.reserveConcurrency,
          mappingMetrics: config.eventSourceMetrics,
          codeVersion: props.codeVersion,
          logRetention: logRetention(config),
          sourceRetention,
          deadLetterRetention,
          claimCheck: this.claimCheck,
          tableNames: tables,
          environment: common,
          search: {
            domainArn: props.search.domainArn,
            environment: {
              SLUICE_OPENSEARCH_URL: props.search.endpointUrl,
              SLUICE_OPENSEARCH_MODE: 'es',
            },
          },
          vpc: functionVpc,
        }),
      );
    }
    routing.grantRouting([...this.workers.values()].map((worker) => worker.queue));

    if (props.kafkaClusterArn) {
      this.kafkaSource = new RouterKafkaSource(this, 'KafkaSource', {
        stage: config.stage,
        router: this.router,
        role: routing.router.role,
        clusterArn: props.kafkaClusterArn,
        topics: config.topics,
        settings: config.router,
        metrics: config.eventSourceMetrics,
      });
    }
    if (config.eventSourceMetrics)
      this.mappingMonitoring = this.monitorMappings(config, routing.replaySource);
    if (props.search.accessServiceToken) {
      new WorkerSearchAccess(this, 'WorkerSearchAccess', {
        stage: config.stage,
        serviceToken: props.search.accessServiceToken,
        workers: [...this.workers.entries()].map(([job, worker]) => ({
          job,
          worker,
          indexes: JOBS[job].access.indexes ?? [],
        })),
      });
    }

    new CfnOutput(this, 'ClaimCheckBucket', { value: this.claimCheck.bucketName });
    new CfnOutput(this, 'ReplayQueueUrl', { value: this.replayQueue.queue.queueUrl });
    new CfnOutput(this, 'IngestDlqUrl', { value: this.replayQueue.deadLetterQueue.queueUrl });
  }

  /** Alarms and a dashboard on every event source mapping: replay, each job, each topic. */
  private monitorMappings(
    config: StageConfig,
    replaySource: SqsEventSource,
  ): EventSourceMonitoring {
    const mappings: MonitoredMapping[] = [
      {
        key: 'replay',
        description: 'replay queue mapping',
        mappingId: replaySource.eventSourceMappingId,
        kind: 'sqs',
      },
      ...[...this.workers.entries()].map(([job, worker]) => ({
        key: `job-${job}`,
        description: `${job} queue mapping`,
        mappingId: worker.eventSource.eventSourceMappingId,
        kind: 'sqs' as const,
      })),
      ...(this.kafkaSource?.mappingsByTopic ?? []).map(({ topic, mapping }) => ({
        key: `kafka-${topic}`,
        description: `router ${config.topics[topic]} mapping`,
        mappingId: mapping.eventSourceMappingId,
        kind: 'kafka' as const,
      })),
    ];
    return new EventSourceMonitoring(this, 'MappingMonitoring', {
      stage: config.stage,
      mappings,
      thresholds: config.alarms,
    });
  }
}

/** The deployed name of every table, by key (the catalog's comes from the data stack). */
function tableNames(config: StageConfig): Record<TableKey, string> {
  const name = namer(config);
  return Object.fromEntries(
    (Object.keys(TABLES) as TableKey[]).map((key) => [
      key,
      key === 'catalog' ? catalogTableName(config) : name(TABLES[key].name),
    ]),
  ) as Record<TableKey, string>;
}
