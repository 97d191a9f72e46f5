/**
 * One job from its definition (`functions/workers/jobs.ts`): its queue and DLQ, its worker
 * function with the SQS event source (ReportBatchItemFailures, batching window,
 * maxConcurrency), reserved concurrency guarded against the throttling trap, and exactly the
 * access the definition declares plus the job runtime's own (its queues, job records, the
 * idempotency table for `store` jobs, its claim-check prefix).
 */
import { Duration } from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { JobDefinition, TableAccess } from '../../functions/jobs/job-definition';
import { aliasName } from '../../functions/targets/opensearch/indexes/spec';
import { resourceName } from '../../functions/topology/naming';
import { jobQueues, TABLES, type TableKey } from '../../functions/topology/topology';
import { jobConcurrency } from '../config/reservations';
import type { JobOverrides } from '../config/schema';
import { grantIndexWrites, grantObjects, grantTable } from '../constructs/grants';
import { SQS_MAPPING_METRICS } from '../constructs/mapping-metrics';
import { guardReservedConcurrency } from '../constructs/reserved-concurrency-guard';
import { SluiceFunction } from '../constructs/sluice-function';
import { acknowledgeWildcardResources } from '../nag/acknowledge';
import { QueueWithDlq, visibilityTimeoutFor } from '../queues/queue-with-dlq';

export interface JobWorkerProps {
  readonly stage: string;
  readonly definition: JobDefinition;
  readonly overrides: JobOverrides;
  /** `false`: no reserved concurrency (small account quotas). */
  readonly reserveConcurrency: boolean;
  /** MetricsConfig (event counts) on the SQS mapping; default off. */
  readonly mappingMetrics?: boolean;
  readonly codeVersion: string;
  readonly logRetention: RetentionDays;
  readonly sourceRetention: Duration;
  readonly deadLetterRetention: Duration;
  readonly claimCheck: IBucket;
  /** Physical table names by key (the catalog's may be the catalog service's own). */
  readonly tableNames: Readonly<Record<TableKey, string>>;
  /** Shared by every function: the queue URL base, stage, OpenSearch endpoint. */
  readonly environment: Record<string, string>;
  /** The domain, for jobs that write indexes. */
  readonly search: { readonly domainArn: string; readonly environment: Record<string, string> };
  readonly vpc: {
    readonly vpc: IVpc;
    readonly subnets: SubnetSelection;
    readonly securityGroups: ISecurityGroup[];
  };
}

/**
 * The job runtime's own tables: job records for every job, the idempotency store for `store`
 * jobs.
 */
export function runtimeTableAccess(
  definition: JobDefinition,
): Partial<Record<TableKey, TableAccess>> {
  return {
    jobRecords: 'readWrite',
    ...(definition.settings.idempotency === 'store' ? { idempotency: 'readWrite' as const } : {}),
  };
}

/**
 * @example
 * ```ts
 * const worker = new JobWorker(stack, 'Job-audit', {
 *   stage: 'dev', definition: JOBS.audit, overrides: {}, reserveConcurrency: true,
 *   codeVersion: 'abc123', logRetention: RetentionDays.ONE_MONTH,
 *   sourceRetention: Duration.days(4), deadLetterRetention: Duration.days(14),
 *   claimCheck: bucket, tableNames, environment: { SLUICE_STAGE: 'dev' },
 *   search: { domainArn, environment: { SLUICE_OPENSEARCH_URL: endpoint } },
 *   vpc: { vpc, subnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: [group] },
 * });
 * worker.queue; worker.deadLetterQueue; worker.function;
 * ```
 */
export class JobWorker extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly function: LambdaFunction;
  /** The mapping's maximum concurrency; undefined in provisioned mode (pollers instead). */
  readonly maxConcurrency?: number;
  readonly reservedConcurrency?: number;
  /** The SQS event source (its mapping id names the mapping's metrics). */
  readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: JobWorkerProps) {
    super(scope, id);
    const { definition, overrides, stage } = props;
    const { settings, access } = definition;
    const names = jobQueues(definition.name);
    const pair = new QueueWithDlq(this, 'Queues', {
      stage,
      queueName: names.queue,
      deadLetterQueueName: names.dlq,
      visibilityTimeout: visibilityTimeoutFor(
        settings.timeoutSeconds,
        settings.maxBatchingWindowSeconds,
      ),
      maxReceiveCount: settings.maxReceiveCount,
      sourceRetention: props.sourceRetention,
      deadLetterRetention: props.deadLetterRetention,
    });
    this.queue = pair.queue;
    this.deadLetterQueue = pair.deadLetterQueue;

    const pollers = overrides.pollers;
    // Provisioned mode has no cap a reservation could match: no reservation unless asked for
    // (and synth refuses one).
    const concurrency = jobConcurrency(definition.name, overrides, props.reserveConcurrency);
    this.maxConcurrency = concurrency.maxConcurrency;
    this.reservedConcurrency = concurrency.reserved;
    const indexes = access.indexes ?? [];
    const writesIndexes = indexes.length > 0;
    const fn = new SluiceFunction(this, 'Worker', {
      functionName: resourceName(stage, names.queue),
      entry: `functions/workers/${definition.name}/handler.ts`,
      description: definition.description,
      codeVersion: props.codeVersion,
      timeout: Duration.seconds(settings.timeoutSeconds),
      memorySize: overrides.memoryMiB ?? 512,
      logRetention: props.logRetention,
      environment: {
        ...props.environment,
        ...(writesIndexes ? props.search.environment : {}),
        ...(access.tables?.catalog ? { SLUICE_CATALOG_TABLE: props.tableNames.catalog } : {}),
        ...overrides.environment,
      },
      reservedConcurrency: this.reservedConcurrency,
      // Only jobs that reach the domain run in the VPC.
      ...(writesIndexes ? { vpc: props.vpc } : {}),
    });
    this.function = fn.function;

    this.eventSource = new SqsEventSource(this.queue, {
      batchSize: settings.batchSize,
      maxBatchingWindow:
        settings.maxBatchingWindowSeconds > 0
          ? Duration.seconds(settings.maxBatchingWindowSeconds)
          : undefined,
      reportBatchItemFailures: true,
      ...(pollers
        ? {
            provisionedPollerConfig: {
              minimumPollers: pollers.minimum,
              maximumPollers: pollers.maximum,
            },
          }
        : { maxConcurrency: this.maxConcurrency }),
      ...(props.mappingMetrics ? { metricsConfig: SQS_MAPPING_METRICS } : {}),
    });
    this.function.addEventSource(this.eventSource);
    guardReservedConcurrency(this.function);

    // Snoozed jobs are re-sent to the queue; dead letters go to the DLQ.
    this.queue.grantSendMessages(fn.role);
    this.deadLetterQueue.grantSendMessages(fn.role);
    const tables = { ...runtimeTableAccess(definition), ...access.tables };
    for (const [key, tableAccess] of Object.entries(tables) as [TableKey, TableAccess][]) {
      const spec = TABLES[key];
      const indexNames = 'indexes' in spec ? spec.indexes.map((i) => i.name) : [];
      grantTable(fn.role, props.tableNames[key], tableAccess, indexNames);
    }
    const prefix = `job/${definition.name}/`;
    grantObjects(fn.role, props.claimCheck.bucketArn, prefix, { read: true });
    const wildcards = [`${props.claimCheck.bucketArn}/${prefix}*`];
    if (writesIndexes) {
      const aliases = indexes.map((key) => aliasName(stage, key));
      grantIndexWrites(fn.role, props.search.domainArn, aliases);
      wildcards.push(...aliases.map((alias) => `${props.search.domainArn}/${alias}/*`));
    }
    acknowledgeWildcardResources(
      fn.role,
      wildcards,
      'Object keys under the job’s own claim-check prefix and document ids under its own index aliases are per job: the prefix is the narrowest grant.',
    );
  }
}
