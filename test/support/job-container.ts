/**
 * The deps one worker Lambda container would build for a job, for integration tests against
 * the local services: the job's runtime configuration read from the stage's environment, the
 * real stores over the given clients, a captured log and metric sink, retries that come back at
 * once (`random` 0).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { JobDefinition } from '../../functions/jobs/job-definition';
import { readJobRuntimeConfig } from '../../functions/jobs/runtime/job-config';
import { type JobDeps, jobDepsFrom } from '../../functions/jobs/runtime/job-deps';
import { captureLog, captureMetrics } from './router';

/** Where the container runs and what it may change from the job's shipped configuration. */
export interface JobContainerOptions {
  /** The stage's name (`SLUICE_STAGE`). */
  readonly stage: string;
  /** The stage's queue URL prefix (`SLUICE_QUEUE_URL_BASE`). */
  readonly queueUrlBase: string;
  /** The claim-check bucket (`SLUICE_CLAIM_CHECK_BUCKET`), when the test provisions one. */
  readonly claimCheckBucket?: string;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly s3?: S3Client;
  /**
   * Test only, so held claims end quickly: configuration refuses a lease below the timeout,
   * so this replaces the configured lease after it is read.
   */
  readonly leaseSeconds?: number;
  /** The sink metrics go to; a fresh `captureMetrics()` when left out. */
  readonly metricSink?: ReturnType<typeof captureMetrics>;
  /** The deployed code version the deps report; `'integration'` when left out. */
  readonly codeVersion?: string;
}

/**
 * The job deps a container of `definition` would build on `options.stage`.
 *
 * @example
 * ```ts
 * const deps = jobContainerDeps(recordCommissionJob, { stage, queueUrlBase, sqs, dynamodb });
 * const handler = defineJob(recordCommissionJob, code, deps);
 * ```
 */
export function jobContainerDeps(definition: JobDefinition, options: JobContainerOptions): JobDeps {
  const env: Record<string, string> = {
    SLUICE_STAGE: options.stage,
    SLUICE_QUEUE_URL_BASE: options.queueUrlBase,
  };
  if (options.claimCheckBucket !== undefined) {
    env.SLUICE_CLAIM_CHECK_BUCKET = options.claimCheckBucket;
  }
  const read = readJobRuntimeConfig(env, definition);
  const config =
    options.leaseSeconds === undefined ? read : { ...read, leaseSeconds: options.leaseSeconds };
  return jobDepsFrom(definition, config, {
    sqs: options.sqs,
    ...(options.s3 === undefined ? {} : { s3: options.s3 }),
    dynamodb: options.dynamodb,
    log: captureLog(),
    metricSink: options.metricSink ?? captureMetrics(),
    codeVersion: options.codeVersion ?? 'integration',
    random: () => 0,
  });
}
