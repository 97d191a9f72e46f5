/**
 * The pipeline: the claim-check bucket, the replay queue whose DLQ is the ingest DLQ (so the
 * console's "Start DLQ redrive" works), the router (outside the VPC unless `router.vpc`) with
 * its MSK event source mappings, the replay function, one worker per job from the job definitions, and the
 * fine-grained access mapping of the workers that write to OpenSearch.
 */

import {
  CfnOutput,
  CustomResource,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { LEDGER_PREFIX } from '../../functions/router/dead-letter-ledger';
import { securityRoles } from '../../functions/targets/opensearch/access/access-roles';
import { REPLAY_FUNCTION, ROUTER_FUNCTION } from '../../functions/topology/functions';
import { REPLAY_SETTINGS } from '../../functions/topology/queue-settings';
import { queueTopology } from '../../functions/topology/queue-topology';
import {
  type JobName,
  ROUTER_QUEUES,
  TABLES,
  type TableKey,
} from '../../functions/topology/topology';
import { JOB_NAMES, JOBS } from '../../functions/workers/jobs';
import { replayReservation, routerReservation } from '../config/reservations';
import type { StageConfig } from '../config/schema';
import { grantListing, grantObjects } from '../constructs/grants';
import { SQS_MAPPING_METRICS } from '../constructs/mapping-metrics';
import { guardReservedConcurrency } from '../constructs/reserved-concurrency-guard';
import { SluiceFunction, type SluiceFunctionProps } from '../constructs/sluice-function';
import { acknowledgeWildcardResources } from '../nag/acknowledge';
import {
  EventSourceMonitoring,
  type MonitoredMapping,
} from '../observability/event-source-monitoring';
import { QueueWithDlq, visibilityTimeoutFor } from '../queues/queue-with-dlq';
import { RouterKafkaSource } from '../router/router-kafka-source';
import { JobWorker } from '../workers/job-worker';
import { catalogTableName } from './data-stack';
import { logRetention, namer } from './stack-helpers';

/** Claim-check keys: the router's and replay's under `ingest/`, each job's under `job/<job>/`. */
export const INGEST_PREFIX = 'ingest/';

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

export class PipelineStack extends Stack {
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
  // Each part is a method adding to this stack itself (not a child construct), so the
  // logical ids, and with them the deployed resources, stay as they are.
  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);
    const { config } = props;
    const sourceRetention = Duration.days(config.queues.sourceRetentionDays);
    const deadLetterRetention = Duration.days(config.queues.dlqRetentionDays);

    this.claimCheck = this.claimCheckBucket(config);
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
    const { routerFn, replayFn, replaySource } = this.routerAndReplay(props, common, functionVpc);
    this.router = routerFn.function;
    this.replay = replayFn.function;

    const tables = tableNames(config);
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
    this.grantRouting(routerFn, replayFn);

    if (props.kafkaClusterArn) {
      this.kafkaSource = new RouterKafkaSource(this, 'KafkaSource', {
        stage: config.stage,
        router: this.router,
        role: routerFn.role,
        clusterArn: props.kafkaClusterArn,
        topics: config.topics,
        settings: config.router,
        metrics: config.eventSourceMetrics,
      });
    }
    if (config.eventSourceMetrics)
      this.mappingMonitoring = this.monitorMappings(config, replaySource);
    if (props.search.accessServiceToken) {
      this.mapSearchAccess(config, props.search.accessServiceToken);
    }

    new CfnOutput(this, 'ClaimCheckBucket', { value: this.claimCheck.bucketName });
    new CfnOutput(this, 'ReplayQueueUrl', { value: this.replayQueue.queue.queueUrl });
    new CfnOutput(this, 'IngestDlqUrl', { value: this.replayQueue.deadLetterQueue.queueUrl });
  }

  /** Where dead letters too large for SQS are stored: private, TLS only, expiring. */
  private claimCheckBucket(config: StageConfig): Bucket {
    const bucket = new Bucket(this, 'ClaimCheck', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'expire-claim-checks', expiration: Duration.days(config.claimCheckExpirationDays) },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    Validations.of(bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Only Sluice functions read and write claim checks, each under its own prefix; access is audited by CloudTrail, and an access-log bucket would hold copies of dead-letter keys for longer than the letters.',
    });
    return bucket;
  }

  /**
   * The router (MSK records → job queues) and replay (redriven dead letters → job queues,
   * through the same code), replay fed by its queue; both with guarded reserved concurrency.
   */
  private routerAndReplay(
    props: PipelineStackProps,
    common: Record<string, string>,
    functionVpc: NonNullable<SluiceFunctionProps['vpc']>,
  ): { routerFn: SluiceFunction; replayFn: SluiceFunction; replaySource: SqsEventSource } {
    const { config } = props;
    const name = namer(config);
    const routerFn = new SluiceFunction(this, 'Router', {
      functionName: name(ROUTER_FUNCTION.name),
      entry: 'functions/router/handler.ts',
      description: 'MSK records → job queues; undecodable records → ingest DLQ',
      codeVersion: props.codeVersion,
      timeout: Duration.seconds(config.router.timeoutSeconds),
      memorySize: config.router.memoryMiB,
      logRetention: logRetention(config),
      environment: {
        ...common,
        SLUICE_REPORT_BATCH_ITEM_FAILURES: String(
          RouterKafkaSource.reportsBatchItemFailures(config.router),
        ),
      },
      reservedConcurrency: routerReservation(config),
      // SQS and S3 only; the MSK mappings' pollers use the cluster's network, not this one.
      ...(config.router.vpc ? { vpc: functionVpc } : {}),
    });
    const replayFn = new SluiceFunction(this, 'Replay', {
      functionName: name(REPLAY_FUNCTION.name),
      entry: 'functions/router/replay-handler.ts',
      description: 'Redriven dead letters → job queues, through the router code',
      codeVersion: props.codeVersion,
      timeout: Duration.seconds(REPLAY_SETTINGS.timeoutSeconds),
      memorySize: 512,
      logRetention: logRetention(config),
      environment: { ...common, SLUICE_REPORT_BATCH_ITEM_FAILURES: 'false' },
      reservedConcurrency: replayReservation(config),
    });
    const replaySource = new SqsEventSource(this.replayQueue.queue, {
      batchSize: REPLAY_SETTINGS.batchSize,
      reportBatchItemFailures: true,
      maxConcurrency: config.replay.maxConcurrency,
      ...(config.eventSourceMetrics ? { metricsConfig: SQS_MAPPING_METRICS } : {}),
    });
    replayFn.function.addEventSource(replaySource);
    guardReservedConcurrency(replayFn.function);
    guardReservedConcurrency(routerFn.function);
    return { routerFn, replayFn, replaySource };
  }

  /**
   * The router and replay write jobs and ingest dead letters, and claim checks under
   * ingest/; the router alone keeps the dead-letter ledger.
   */
  private grantRouting(routerFn: SluiceFunction, replayFn: SluiceFunction): void {
    for (const fn of [routerFn, replayFn]) {
      for (const worker of this.workers.values()) worker.queue.grantSendMessages(fn.role);
      this.replayQueue.deadLetterQueue.grantSendMessages(fn.role);
      grantObjects(fn.role, this.claimCheck.bucketArn, INGEST_PREFIX, { read: fn === replayFn });
      acknowledgeWildcardResources(
        fn.role,
        [`${this.claimCheck.bucketArn}/${INGEST_PREFIX}*`],
        'Claim checks of ingest dead letters are keyed by topic, partition and offset under one prefix: the prefix is the narrowest grant.',
      );
    }

    // The router's dead-letter ledger: empty objects under ingest-ledger/, listed by prefix
    // (replay needs none).
    grantObjects(routerFn.role, this.claimCheck.bucketArn, LEDGER_PREFIX, { read: false });
    grantListing(routerFn.role, this.claimCheck.bucketArn, LEDGER_PREFIX);
    acknowledgeWildcardResources(
      routerFn.role,
      [`${this.claimCheck.bucketArn}/${LEDGER_PREFIX}*`],
      'The dead-letter ledger keys one empty object per dead letter by code version, topic, partition and offset under one prefix: the prefix is the narrowest grant.',
    );
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

  /** Maps the workers' roles to write-only OpenSearch roles, before any worker polls. */
  private mapSearchAccess(config: StageConfig, serviceToken: string): void {
    const writers = [...this.workers.entries()].map(([job, worker]) => ({
      name: `job-${job}`,
      roleArn: worker.function.role?.roleArn ?? '',
      indexes: JOBS[job].access.indexes ?? [],
    }));
    const access = new CustomResource(this, 'OpenSearchAccess', {
      serviceToken,
      resourceType: 'Custom::SluiceOpenSearchAccess',
      properties: { Roles: Stack.of(this).toJsonString(securityRoles(config.stage, writers)) },
    });
    // No worker polls its queue before it may write its indexes.
    for (const worker of this.workers.values()) {
      for (const child of worker.function.node.children) {
        if (child.node.id.startsWith('SqsEventSource')) child.node.addDependency(access);
      }
    }
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
