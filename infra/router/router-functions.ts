/**
 * The router (MSK records → job queues, `functions/router/handler.ts`) and replay (redriven
 * dead letters → job queues through the same code, `functions/router/replay-handler.ts`),
 * replay fed by the replay queue; both with guarded reserved concurrency, and the grants
 * they share: the job queues, the ingest DLQ, claim checks under `ingest/`; the router alone
 * keeps the dead-letter ledger. The MSK mappings are {@link RouterKafkaSource}'s.
 */
import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { REPLAY_FUNCTION, ROUTER_FUNCTION } from '../../functions/topology/functions';
import { REPLAY_SETTINGS } from '../../functions/topology/queue-settings';
import { replayReservation, routerReservation } from '../config/reservations';
import type { StageConfig } from '../config/schema';
import { grantObjects, grantTableActions } from '../constructs/grants';
import { SQS_MAPPING_METRICS } from '../constructs/mapping-metrics';
import { guardReservedConcurrency } from '../constructs/reserved-concurrency-guard';
import { SluiceFunction, type SluiceFunctionProps } from '../constructs/sluice-function';
import { acknowledgeWildcardResources } from '../nag/acknowledge';
import type { QueueWithDlq } from '../queues/queue-with-dlq';
import { logRetention, namer } from '../stacks/stack-helpers';
import { StackPart } from '../stacks/stack-part';
import { RouterKafkaSource } from './router-kafka-source';

/** Claim-check keys: the router's and replay's under `ingest/`, each job's under `job/<job>/`. */
export const INGEST_PREFIX = 'ingest/';

export interface RouterFunctionsProps {
  readonly config: StageConfig;
  readonly codeVersion: string;
  /** SLUICE_STAGE, SLUICE_QUEUE_URL_BASE, SLUICE_CLAIM_CHECK_BUCKET. */
  readonly environment: Record<string, string>;
  /** The VPC the router joins with `router.vpc`; replay stays outside. */
  readonly vpc: NonNullable<SluiceFunctionProps['vpc']>;
  /** The replay queue, whose DLQ is the ingest DLQ. */
  readonly replayQueue: QueueWithDlq;
  readonly claimCheck: IBucket;
  /** The physical name of the router's dead-letter ledger table. */
  readonly ledgerTable: string;
}

/**
 * @example
 * ```ts
 * const routing = new RouterFunctions(stack, 'RouterFunctions', {
 *   config, codeVersion: 'abc123', environment, vpc: functionVpc, replayQueue, claimCheck,
 *   ledgerTable: 'sluice-dev-ingest-ledger',
 * });
 * routing.grantRouting(jobQueues);
 * ```
 */
export class RouterFunctions extends StackPart {
  readonly router: SluiceFunction;
  readonly replay: SluiceFunction;
  /** The replay queue's mapping. */
  readonly replaySource: SqsEventSource;
  private readonly props: RouterFunctionsProps;

  constructor(scope: Construct, id: string, props: RouterFunctionsProps) {
    super(scope, id);
    this.props = props;
    const { config } = props;
    const name = namer(config);
    this.router = new SluiceFunction(this, 'Router', {
      functionName: name(ROUTER_FUNCTION.name),
      entry: 'functions/router/handler.ts',
      description: 'MSK records → job queues; undecodable records → ingest DLQ',
      codeVersion: props.codeVersion,
      timeout: Duration.seconds(config.router.timeoutSeconds),
      memorySize: config.router.memoryMiB,
      logRetention: logRetention(config),
      environment: {
        ...props.environment,
        SLUICE_REPORT_BATCH_ITEM_FAILURES: String(
          RouterKafkaSource.reportsBatchItemFailures(config.router),
        ),
      },
      reservedConcurrency: routerReservation(config),
      // SQS and S3 only; the MSK mappings' pollers use the cluster's network, not this one.
      ...(config.router.vpc ? { vpc: props.vpc } : {}),
    });
    this.replay = new SluiceFunction(this, 'Replay', {
      functionName: name(REPLAY_FUNCTION.name),
      entry: 'functions/router/replay-handler.ts',
      description: 'Redriven dead letters → job queues, through the router code',
      codeVersion: props.codeVersion,
      timeout: Duration.seconds(REPLAY_SETTINGS.timeoutSeconds),
      memorySize: 512,
      logRetention: logRetention(config),
      environment: { ...props.environment, SLUICE_REPORT_BATCH_ITEM_FAILURES: 'false' },
      reservedConcurrency: replayReservation(config),
    });
    this.replaySource = new SqsEventSource(props.replayQueue.queue, {
      batchSize: REPLAY_SETTINGS.batchSize,
      reportBatchItemFailures: true,
      maxConcurrency: config.replay.maxConcurrency,
      ...(config.eventSourceMetrics ? { metricsConfig: SQS_MAPPING_METRICS } : {}),
    });
    this.replay.function.addEventSource(this.replaySource);
    guardReservedConcurrency(this.replay.function);
    guardReservedConcurrency(this.router.function);
  }

  /**
   * The router and replay write jobs (to every job queue) and ingest dead letters, and claim
   * checks under ingest/; the router alone keeps the dead-letter ledger.
   */
  grantRouting(jobQueues: readonly IQueue[]): void {
    const { claimCheck, replayQueue } = this.props;
    for (const fn of [this.router, this.replay]) {
      for (const queue of jobQueues) queue.grantSendMessages(fn.role);
      replayQueue.deadLetterQueue.grantSendMessages(fn.role);
      grantObjects(fn.role, claimCheck.bucketArn, INGEST_PREFIX, { read: fn === this.replay });
      acknowledgeWildcardResources(
        fn.role,
        [`${claimCheck.bucketArn}/${INGEST_PREFIX}*`],
        'Claim checks of ingest dead letters are keyed by topic, partition and offset under one prefix: the prefix is the narrowest grant.',
      );
    }

    // The router's dead-letter ledger: pages read (BatchGetItem) and added to (UpdateItem),
    // nothing else of the table; replay needs none.
    grantTableActions(this.router.role, this.props.ledgerTable, [
      'dynamodb:BatchGetItem',
      'dynamodb:UpdateItem',
    ]);
  }
}
