/**
 * A job function's configuration, read once at cold start. Queue URLs and table names are
 * derived from the stage and the topology, never configured one by one.
 */

import { maxMessageBytesFrom } from '../../queues/sqs-batch-sender';
import { type Env, integer, requiredString } from '../../shared/env';
import { resourceName } from '../../topology/naming';
import { jobQueues, TABLES } from '../../topology/topology';
import type { JobDefinition } from '../job-definition';

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

/** How much a lease must outlast the function timeout (clock skew between containers). */
export const LEASE_MARGIN_SECONDS = 5;

/**
 * `SLUICE_JOB_LEASE_SECONDS`, checked against the function timeout: a lease that ends while
 * the job may still run lets a duplicate delivery claim it and run it a second time.
 *
 * @throws Error naming the variable when the lease is not at least the timeout plus
 * {@link LEASE_MARGIN_SECONDS}, or not an integer up to 12 hours
 *
 * @example
 * ```ts
 * leaseSecondsFrom({ SLUICE_JOB_LEASE_SECONDS: '90' }, 60); // 90
 * leaseSecondsFrom({ SLUICE_JOB_LEASE_SECONDS: '30' }, 60); // throws
 * ```
 */
export function leaseSecondsFrom(env: Env, timeoutSeconds: number): number {
  const lease = integer(env, 'SLUICE_JOB_LEASE_SECONDS', timeoutSeconds + 30, 1, 43_200);
  if (lease < timeoutSeconds + LEASE_MARGIN_SECONDS) {
    throw new Error(
      `Environment variable SLUICE_JOB_LEASE_SECONDS=${lease} must be at least the function timeout (${timeoutSeconds} s) plus ${LEASE_MARGIN_SECONDS} s: a shorter lease lets two copies of a job run at once`,
    );
  }
  return lease;
}

/**
 * | variable | meaning | default |
 * |---|---|---|
 * | SLUICE_STAGE | stage in resource names | required |
 * | SLUICE_QUEUE_URL_BASE | queue URL up to the name | required |
 * | SLUICE_JOB_LEASE_SECONDS | idempotency lease, at least the timeout + 5 | function timeout + 30 |
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
    leaseSeconds: leaseSecondsFrom(env, timeout),
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
