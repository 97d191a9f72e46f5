/**
 * What the job runtime needs, built once per container at module scope by `defineJob` so
 * clients, the limiter and telemetry are reused across invocations.
 */

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { functionClient } from '../../shared/client-hooks';
import { CODE_VERSION } from '../../shared/code-version';
import { createDynamoDBClient } from '../../shared/dynamo-client';
import type { Env } from '../../shared/env';
import { createTelemetry, type Log, type MetricSink } from '../../shared/telemetry';
import { jobFunction } from '../../topology/functions';
import { METRICS } from '../../topology/topology';
import type { JobDefinition } from '../job-definition';
import { IdempotencyStore } from '../stores/idempotency-store';
import { JobRecords } from '../stores/job-records';
import { AimdLimiter } from './aimd-limiter';
import { type JobRuntimeConfig, readJobRuntimeConfig } from './job-config';

export interface JobDeps {
  readonly definition: JobDefinition;
  readonly config: JobRuntimeConfig;
  readonly sqs: SQSClient;
  /** Present when a claim-check bucket is configured: oversized dead letters go to S3. */
  readonly s3?: S3Client;
  /** Present when the job's idempotency is `store`. */
  readonly idempotency?: IdempotencyStore;
  readonly records: JobRecords;
  /** In-flight work of this container (jobs at once, or jobs per bulk call). */
  readonly limiter: AimdLimiter;
  readonly log: Log;
  readonly metricSink: MetricSink;
  readonly codeVersion: string;
  readonly now: () => Date;
  readonly random: () => number;
}

/** Deps from clients the caller supplies (tests, the local runtime). */
export function jobDepsFrom(
  definition: JobDefinition,
  config: JobRuntimeConfig,
  parts: Pick<JobDeps, 'sqs' | 'log' | 'metricSink'> & {
    dynamodb: DynamoDBClient;
  } & Partial<Pick<JobDeps, 's3' | 'codeVersion' | 'now' | 'random' | 'limiter'>>,
): JobDeps {
  const { dynamodb, ...rest } = parts;
  const { batchSize, chunkSize } = definition.settings;
  const width = definition.batch
    ? Math.min(chunkSize ?? batchSize, 10_000)
    : Math.min(batchSize, 10);
  return {
    definition,
    config,
    idempotency:
      definition.settings.idempotency === 'store'
        ? new IdempotencyStore(dynamodb, {
            table: config.idempotencyTable,
            leaseSeconds: config.leaseSeconds,
            completedTtlSeconds: config.completedTtlSeconds,
          })
        : undefined,
    records: new JobRecords(dynamodb, config.jobRecordsTable, config.recordTtlSeconds),
    limiter: new AimdLimiter({ initial: width, max: width }),
    codeVersion: CODE_VERSION,
    now: () => new Date(),
    random: Math.random,
    ...rest,
  };
}

/**
 * @example
 * ```ts
 * const deps = createJobDeps(process.env, JOBS.audit);
 * ```
 */
export function createJobDeps(env: Env, definition: JobDefinition): JobDeps {
  const { logger, metrics } = createTelemetry(jobFunction(definition.name).service, {
    [METRICS.dimensions.job]: definition.name,
  });
  const config = readJobRuntimeConfig(env, definition);
  return jobDepsFrom(definition, config, {
    sqs: functionClient(new SQSClient({})),
    ...(config.claimCheckBucket
      ? {
          s3: functionClient(
            new S3Client({ forcePathStyle: env.SLUICE_S3_FORCE_PATH_STYLE === 'true' }),
          ),
        }
      : {}),
    dynamodb: createDynamoDBClient(),
    log: logger,
    metricSink: metrics,
  });
}
