/**
 * The deps one worker Lambda container would build for a job, for integration tests against
 * the local services: the job's runtime configuration read from the stage's environment, the
 * real stores over the given clients, a captured log and metric sink, retries that come back at
 * once (full jitter drawn at `random` 0: see immediate-retries.ts).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { JobDefinition } from '../../functions/jobs/job-definition';
import { readJobRuntimeConfig } from '../../functions/jobs/runtime/job-config';
import { type JobDeps, jobDepsFrom } from '../../functions/jobs/runtime/job-deps';
import { immediateRetries } from './immediate-retries';
import { captureLog, captureMetrics } from './router';

/** The stage a container runs on: its name, clients, and what provisioning made of it. */
export interface ContainerStage {
  readonly stage: string;
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly provisioned: { readonly queueUrlBase: string; readonly claimCheckBucket: string };
}

/** What a test changes from the job's shipped configuration. */
export interface JobContainerOptions {
  /**
   * An S3 client for claim checks: with it the container gets the stage's claim-check bucket
   * (`SLUICE_CLAIM_CHECK_BUCKET`); without it, no bucket.
   */
  readonly claimChecks?: S3Client;
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
 * The job deps a container of `definition` would build on `where` (a `useLocalStage` stage).
 *
 * @example
 * ```ts
 * const deps = jobContainerDeps(detectLoginAbuseJob, localStage, { leaseSeconds: 2 });
 * const handler = defineJob(detectLoginAbuseJob, code, deps);
 * ```
 */
export function jobContainerDeps(
  definition: JobDefinition,
  where: ContainerStage,
  options: JobContainerOptions = {},
): JobDeps {
  const env: Record<string, string> = {
    SLUICE_STAGE: where.stage,
    SLUICE_QUEUE_URL_BASE: where.provisioned.queueUrlBase,
  };
  if (options.claimChecks !== undefined) {
    env.SLUICE_CLAIM_CHECK_BUCKET = where.provisioned.claimCheckBucket;
  }
  const read = readJobRuntimeConfig(env, definition);
  const config =
    options.leaseSeconds === undefined ? read : { ...read, leaseSeconds: options.leaseSeconds };
  return jobDepsFrom(immediateRetries(definition), config, {
    sqs: where.sqs,
    ...(options.claimChecks === undefined ? {} : { s3: options.claimChecks }),
    dynamodb: where.dynamodb,
    log: captureLog(),
    metricSink: options.metricSink ?? captureMetrics(),
    codeVersion: options.codeVersion ?? 'integration',
    random: () => 0,
  });
}
