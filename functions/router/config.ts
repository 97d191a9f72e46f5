/**
 * The router's configuration, read once at cold start from documented environment
 * variables (see the README's configuration table).
 */

import { maxMessageBytesFrom } from '../queues/sqs-batch-sender';
import type { BackoffPolicy } from '../shared/backoff';
import { boolean, type Env, integer, requiredString } from '../shared/env';
import { resourceName } from '../topology/naming';
import { type JobName, jobQueues, ROUTER_QUEUES } from '../topology/topology';

export interface RouterConfig {
  readonly stage: string;
  /** Queue URL of a logical queue name, e.g. `job-audit` → `https://sqs…/123/sluice-prod-job-audit`. */
  readonly queueUrl: (logicalName: string) => string;
  readonly ingestDlqUrl: string;
  /** Claim-check bucket for dead letters that do not fit in one SQS message. */
  readonly claimCheckBucket: string;
  readonly maxMessageBytes: number;
  /** Provisioned-mode mappings with ReportBatchItemFailures: report offsets instead of failing. */
  readonly reportBatchItemFailures: boolean;
  readonly sendMaxAttempts: number;
  readonly sendBackoff: BackoffPolicy;
  readonly sendConcurrency: number;
}

/**
 * Reads the router configuration.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | SLUICE_STAGE | stage in resource names | required |
 * | SLUICE_QUEUE_URL_BASE | queue URL up to the name, e.g. `https://sqs.eu-west-1.amazonaws.com/123456789012/` | required |
 * | SLUICE_CLAIM_CHECK_BUCKET | bucket for oversized dead letters | required |
 * | SLUICE_MAX_MESSAGE_BYTES | SQS message size limit | 1048576 |
 * | SLUICE_REPORT_BATCH_ITEM_FAILURES | report failed offsets instead of failing the batch | false |
 * | SLUICE_SEND_MAX_ATTEMPTS | SendMessageBatch attempts per batch | 6 |
 * | SLUICE_SEND_BACKOFF_BASE_MS / _CAP_MS | full-jitter backoff between attempts | 100 / 3000 |
 * | SLUICE_SEND_CONCURRENCY | SendMessageBatch calls in flight | 16 |
 *
 * @example
 * ```ts
 * const config = readRouterConfig(process.env);
 * config.queueUrl('job-audit');
 * ```
 */
export function readRouterConfig(env: Env): RouterConfig {
  const stage = requiredString(env, 'SLUICE_STAGE');
  const base = requiredString(env, 'SLUICE_QUEUE_URL_BASE');
  const prefix = base.endsWith('/') ? base : `${base}/`;
  const queueUrl = (logicalName: string): string => prefix + resourceName(stage, logicalName);
  return {
    stage,
    queueUrl,
    ingestDlqUrl: queueUrl(ROUTER_QUEUES.ingestDlq),
    claimCheckBucket: requiredString(env, 'SLUICE_CLAIM_CHECK_BUCKET'),
    maxMessageBytes: maxMessageBytesFrom(env),
    reportBatchItemFailures: boolean(env, 'SLUICE_REPORT_BATCH_ITEM_FAILURES', false),
    sendMaxAttempts: integer(env, 'SLUICE_SEND_MAX_ATTEMPTS', 6, 1, 20),
    sendBackoff: {
      baseMs: integer(env, 'SLUICE_SEND_BACKOFF_BASE_MS', 100, 0, 60_000),
      capMs: integer(env, 'SLUICE_SEND_BACKOFF_CAP_MS', 3_000, 0, 300_000),
    },
    sendConcurrency: integer(env, 'SLUICE_SEND_CONCURRENCY', 16, 1, 256),
  };
}

/** The queue URL of a job's work queue. */
export function jobQueueUrl(config: Pick<RouterConfig, 'queueUrl'>, job: JobName): string {
  return config.queueUrl(jobQueues(job).queue);
}

/** The variables the router reads, for the README and the infra's function environment. */
export const ROUTER_ENV_VARS = [
  'SLUICE_STAGE',
  'SLUICE_QUEUE_URL_BASE',
  'SLUICE_CLAIM_CHECK_BUCKET',
  'SLUICE_MAX_MESSAGE_BYTES',
  'SLUICE_REPORT_BATCH_ITEM_FAILURES',
  'SLUICE_SEND_MAX_ATTEMPTS',
  'SLUICE_SEND_BACKOFF_BASE_MS',
  'SLUICE_SEND_BACKOFF_CAP_MS',
  'SLUICE_SEND_CONCURRENCY',
] as const;
