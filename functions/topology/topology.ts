/**
 * Sluice's topology as plain data: topics, routes, queues, tables, indexes, buckets and
 * metric names. No AWS clients here — the router, the local service stack, the local
 * event-source emulation and the CDK stacks all read this one module.
 */
import type { EventType } from '../events/registry';
import type { JobName } from '../workers/jobs';

/** Kafka topics, one per owning service, keyed by the entity id so an entity's events stay ordered. */
export const TOPICS = {
  catalog: { name: 'catalog.events', owner: 'catalog', keyedBy: 'productId', partitions: 6 },
  orders: { name: 'orders.events', owner: 'orders', keyedBy: 'orderId', partitions: 6 },
  identity: { name: 'identity.events', owner: 'identity', keyedBy: 'accountId', partitions: 3 },
  customers: { name: 'customers.events', owner: 'customers', keyedBy: 'customerId', partitions: 3 },
} as const;

export type TopicKey = keyof typeof TOPICS;
export type TopicName = (typeof TOPICS)[TopicKey]['name'];

/**
 * The name of a job: its queues are `job-<name>` and `job-<name>-dlq`. The jobs are
 * registered in functions/workers/jobs.ts (JOBS, JOB_NAMES), which this type follows.
 */
export type { JobName };

/** Route key: an event type of the registry, or `*` for every valid event. */
export type RouteKey = EventType | '*';

/** Event type → the jobs it becomes. `*` applies to every valid event in addition. */
export type Routes = Readonly<Partial<Record<RouteKey, readonly JobName[]>>>;

/**
 * The routing table of a set of jobs, from the event types each declares: the only way
 * routes are made (ROUTES in functions/workers/jobs.ts applies it to every job).
 *
 * @example
 * ```ts
 * routesOf([{ name: 'audit', eventTypes: ['*'] }, { name: 'record-commission', eventTypes: ['ITEM_SOLD'] }]);
 * // { '*': ['audit'], ITEM_SOLD: ['record-commission'] }
 * ```
 */
export function routesOf(
  jobs: ReadonlyArray<{ readonly name: JobName; readonly eventTypes: readonly RouteKey[] }>,
): Routes {
  const routes: Partial<Record<RouteKey, JobName[]>> = {};
  for (const job of jobs) {
    for (const type of job.eventTypes) routes[type] = [...(routes[type] ?? []), job.name];
  }
  return Object.freeze(routes);
}

/** Logical names of the router's own queues. */
export const ROUTER_QUEUES = {
  /** Payload-complete dead letters of records that can never be routed as they are. */
  ingestDlq: 'ingest-dlq',
  /** Consumed by the replay handler; its DLQ is the ingest DLQ so console redrive works. */
  replay: 'ingest-replay',
} as const;

/** Logical queue names of a job: its work queue and its dead-letter queue. */
export function jobQueues(job: JobName): { queue: string; dlq: string } {
  return { queue: `job-${job}`, dlq: `job-${job}-dlq` };
}

/** DynamoDB tables. `catalog` is owned by the catalog service; Sluice only reads it. */
export const TABLES = {
  catalog: { name: 'catalog', partitionKey: 'productId', ownedBySluice: false },
  idempotency: { name: 'idempotency', partitionKey: 'key', ownedBySluice: true, ttl: 'expiresAt' },
  jobRecords: {
    name: 'job-records',
    partitionKey: 'jobId',
    ownedBySluice: true,
    ttl: 'expiresAt',
    /** Job records by job type and state (`<job>#<state>`), newest first by `updatedAt`. */
    indexes: [{ name: 'jobTypeState', partitionKey: 'jobTypeState', sortKey: 'updatedAt' }],
  },
  commissions: { name: 'commissions', partitionKey: 'commissionId', ownedBySluice: true },
  abuseCounters: {
    name: 'abuse-counters',
    partitionKey: 'counterId',
    ownedBySluice: true,
    ttl: 'expiresAt',
  },
  customers: { name: 'customers', partitionKey: 'customerId', ownedBySluice: true },
  /** The router's dead-letter ledger: pages of dead-lettered offsets (dead-letter-ledger.ts). */
  ingestLedger: {
    name: 'ingest-ledger',
    partitionKey: 'pageId',
    ownedBySluice: true,
    ttl: 'expiresAt',
  },
} as const;

export type TableKey = keyof typeof TABLES;

/** OpenSearch indexes (aliases in front of versioned concrete indexes). */
export const INDEXES = {
  products: 'products',
  audit: 'audit',
  security: 'security',
} as const;

export type IndexKey = keyof typeof INDEXES;

/** S3 buckets. The claim-check bucket holds dead letters too large for an SQS message. */
export const BUCKETS = {
  claimCheck: 'claim-check',
} as const;

/** CloudWatch namespace and metric names, shared by the code that emits and the alarms that read. */
export const METRICS = {
  namespace: 'Sluice',
  router: {
    recordsReceived: 'RecordsReceived',
    jobsEnqueued: 'JobsEnqueued',
    recordsSkipped: 'RecordsSkipped',
    recordsDeadLettered: 'RecordsDeadLettered',
    recordsReplayed: 'RecordsReplayed',
    sendRetries: 'SendRetries',
    batchesFailed: 'BatchesFailed',
    claimChecks: 'ClaimChecksStored',
    /** Dead letters not sent again: the ledger says SQS accepted them on an earlier delivery. */
    deadLettersSuppressed: 'DeadLettersSuppressed',
    /** Dead letters SQS accepted whose id the ledger could not record (a resend is possible). */
    ledgerWritesFailed: 'DeadLetterLedgerWritesFailed',
    /** Records whose type or schema version this code does not know: version skew. */
    unknownSchemas: 'UnknownSchemaVersions',
  },
  /** Emitted by the job runtime, each by `Job` (and by `Job` + `Reason` where a reason exists). */
  jobs: {
    succeeded: 'JobsSucceeded',
    /** Failed attempts that will be retried after a backoff. */
    retried: 'JobsRetried',
    deadLettered: 'JobsDeadLettered',
    discarded: 'JobsDiscarded',
    snoozed: 'JobsSnoozed',
    /** Deliveries of a job that had already completed, acknowledged without running. */
    duplicates: 'JobDuplicates',
    /** Deliveries put back without counting an attempt (throttled batch, claim held elsewhere). */
    deferred: 'JobsDeferred',
    /** Attempts that ended with the target pushing back. */
    throttled: 'JobsThrottled',
    /** Milliseconds per run (a sample per job). */
    duration: 'JobDuration',
    /** The attempt number a job ended on (succeeded or dead-lettered). */
    attempts: 'JobAttempts',
  },
  dimensions: {
    eventType: 'EventType',
    schemaVersion: 'SchemaVersion',
    reason: 'Reason',
    job: 'Job',
  },
} as const;
