/**
 * Builds the router's dependencies from the environment: called once at module scope by
 * each handler so clients and compiled schemas are reused across invocations. The MSK
 * router's add the dead-letter ledger; the replay function's have none.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EventParser } from '../events/parse-event';
import { functionClient } from '../shared/client-hooks';
import { CODE_VERSION } from '../shared/code-version';
import { createDynamoDBClient } from '../shared/dynamo-client';
import type { Env } from '../shared/env';
import { createTelemetry, MetricCounter } from '../shared/telemetry';
import { resourceName } from '../topology/naming';
import { TABLES } from '../topology/topology';
import { ROUTES } from '../workers/jobs';
import { readRouterConfig } from './config';
import { DynamoDeadLetterLedger, LEDGER_CONCURRENCY_FACTOR } from './dead-letter-ledger';
import type { MskRouterDeps } from './msk-batch';
import type { RouterDeps } from './route-batch';

/**
 * @example
 * ```ts
 * const { deps } = createRouterDeps(process.env, REPLAY_FUNCTION.service);
 * ```
 */
export function createRouterDeps(env: Env, serviceName: string) {
  const config = readRouterConfig(env);
  const { logger, metrics } = createTelemetry(serviceName);
  const s3 = functionClient(
    new S3Client({ forcePathStyle: env.SLUICE_S3_FORCE_PATH_STYLE === 'true' }),
  );
  const deps: RouterDeps = {
    sqs: functionClient(new SQSClient({})),
    s3,
    config,
    parser: new EventParser(),
    routes: ROUTES,
    log: logger,
    counter: new MetricCounter(metrics),
    codeVersion: CODE_VERSION,
    now: () => new Date(),
  };
  return { deps, logger, metrics };
}

/**
 * The MSK router's dependencies: {@link createRouterDeps}' and the dead-letter ledger in
 * the stage's DynamoDB table.
 *
 * @example
 * ```ts
 * const { deps } = createMskRouterDeps(process.env, ROUTER_FUNCTION.service);
 * ```
 */
export function createMskRouterDeps(env: Env, serviceName: string) {
  const { deps: routerDeps, logger, metrics } = createRouterDeps(env, serviceName);
  const { config } = routerDeps;
  const deps: MskRouterDeps = {
    ...routerDeps,
    ledger: new DynamoDeadLetterLedger(createDynamoDBClient(), {
      table: resourceName(config.stage, TABLES.ingestLedger.name),
      codeVersion: CODE_VERSION,
      maxAttempts: config.sendMaxAttempts,
      backoff: config.sendBackoff,
      // A call per page a batch touches (a read of up to 100, a write each).
      concurrency: config.sendConcurrency * LEDGER_CONCURRENCY_FACTOR,
    }),
  };
  return { deps, logger, metrics };
}
