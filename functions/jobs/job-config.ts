/**
 * A job function's configuration, read once at cold start. Queue URLs and table names are
 * derived from the stage and the topology, never configured one by one.
 */
import { type Env, integer, requiredString } from '../shared/env';
import { maxMessageBytesFrom } from '../shared/sqs-batch-sender';
import { resourceName } from '../topology/naming';
import { jobQueues, TABLES } from '../topology/topology';
import type { JobDefinition } from './job-definition';

export interface JobRuntimeConfig {
  readonly stage: string;
  /** The job's work queue: snoozed jobs are re-sent here. */
  readonly queueUrl: string;
  /** The job's dead-letter queue: the runtime writes its DeadLetters here. */
  readonly dlqUrl: string;
  readonly idempotencyTable: string;
  readonly jobRecordsTable: string;
  /** Lease of an idempotency claim; longer than the function timeout. */
  readonly leaseSeconds: number;
  /** How long a completed job suppresses duplicates. */
  readonly completedTtlSeconds: number;
  /** How long job records are kept. */
  readonly recordTtlSeconds: number;
  /**
   * Where dead letters too large for an SQS message are stored (claim check). Without it,
   * such a dead letter cannot be sent: the message stays and SQS's own redrive moves the
   * bare job message to the DLQ after maxReceiveCount.
   */
  readonly claimCheckBucket?: string;
  /** The SQS message size limit dead letters are measured against. */
  readonly maxMessageBytes: number;
}

const DAY = 86_400;

/**
 * | variable | meaning | default |
 * |---|---|---|
 * | SLUICE_STAGE | stage in resource names | required |
 * | SLUICE_QUEUE_URL_BASE | queue URL up to the name | required |
 * | SLUICE_JOB_LEASE_SECONDS | idempotency lease | function timeout + 30 |
 * | SLUICE_JOB_COMPLETED_TTL_SECONDS | duplicate suppression window | 15 days (> 14-day DLQ retention, so a replay of the ingest DLQ is still suppressed) |
 * | SLUICE_JOB_RECORD_TTL_SECONDS | job record retention | 30 days |
 * | SLUICE_CLAIM_CHECK_BUCKET | bucket for dead letters over the SQS limit | none (see `claimCheckBucket`) |
 * | SLUICE_MAX_MESSAGE_BYTES | SQS message size limit | 1048576 |
 *
 * @example
 * ```ts
 * const config = readJobRuntimeConfig(process.env, JOBS.audit);
 * ```
 */
export function readJobRuntimeConfig(env: Env, definition: JobDefinition): JobRuntimeConfig {
  const stage = requiredString(env, 'SLUICE_STAGE');
  const base = requiredString(env, 'SLUICE_QUEUE_URL_BASE');
  const prefix = base.endsWith('/') ? base : `${base}/`;
  const { queue, dlq } = jobQueues(definition.name);
  const timeout = definition.settings.timeoutSeconds;
  return {
    stage,
    queueUrl: prefix + resourceName(stage, queue),
    dlqUrl: prefix + resourceName(stage, dlq),
    idempotencyTable: resourceName(stage, TABLES.idempotency.name),
    jobRecordsTable: resourceName(stage, TABLES.jobRecords.name),
    leaseSeconds: integer(env, 'SLUICE_JOB_LEASE_SECONDS', timeout + 30, 1, 43_200),
    completedTtlSeconds: integer(env, 'SLUICE_JOB_COMPLETED_TTL_SECONDS', 15 * DAY, 60, 365 * DAY),
    recordTtlSeconds: integer(env, 'SLUICE_JOB_RECORD_TTL_SECONDS', 30 * DAY, 60, 365 * DAY),
    claimCheckBucket: env.SLUICE_CLAIM_CHECK_BUCKET || undefined,
    maxMessageBytes: maxMessageBytesFrom(env),
  };
}

/** The variables a job function reads, for the README and the infra's function environment. */
export const JOB_ENV_VARS = [
  'SLUICE_STAGE',
  'SLUICE_QUEUE_URL_BASE',
  'SLUICE_JOB_LEASE_SECONDS',
  'SLUICE_JOB_COMPLETED_TTL_SECONDS',
  'SLUICE_JOB_RECORD_TTL_SECONDS',
  'SLUICE_CLAIM_CHECK_BUCKET',
  'SLUICE_MAX_MESSAGE_BYTES',
] as const;
