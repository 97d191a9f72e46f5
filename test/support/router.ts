/**
 * Router dependencies for unit tests: real parser and routing, SQS and S3 clients supplied
 * by the test (aws-sdk-client-mock or real local services), logs captured, no sleeping.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EventParser } from '../../functions/events/parse-event';
import { readRouterConfig } from '../../functions/router/config';
import { MemoryDeadLetterLedger } from '../../functions/router/dead-letter-ledger';
import type { MskRouterDeps } from '../../functions/router/msk-batch';
import { type Log, MetricCounter, type MetricSink } from '../../functions/shared/telemetry';
import type { Routes } from '../../functions/topology/topology';
import { ROUTES } from '../../functions/workers/jobs';
import { OFFLINE_AWS } from './offline-aws';

export interface CapturedLog {
  level: string;
  message: string;
  extra: Record<string, unknown>[];
}

/** A Log that records entries for assertions. */
export function captureLog(): Log & { entries: CapturedLog[] } {
  const entries: CapturedLog[] = [];
  const at =
    (level: string) =>
    (message: string, ...extra: Record<string, unknown>[]) =>
      entries.push({ level, message, extra });
  return { entries, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * A metric sink that records what is published. `defaultDimensions` go on every metric, as
 * Powertools' default dimensions do (a job function's `Job`). `total(name)` sums what was
 * published under `name` with no dimensions at all.
 */
export function captureMetrics(defaultDimensions: Record<string, string> = {}): MetricSink & {
  published: Array<{ name: string; value: number; dimensions: Record<string, string> }>;
  total: (name: string) => number;
} {
  const published: Array<{ name: string; value: number; dimensions: Record<string, string> }> = [];
  // Recorded as added; `stored` only answers hasStoredMetrics.
  let stored = 0;
  const sink = (dimensions: Record<string, string>): MetricSink => ({
    addMetric: (name, _unit, value) => {
      stored++;
      published.push({ name, value, dimensions: { ...dimensions } });
    },
    addDimensions: (more) => Object.assign(dimensions, more),
    singleMetric: () => sink({ ...defaultDimensions }),
    publishStoredMetrics: () => {
      stored = 0;
    },
    hasStoredMetrics: () => stored > 0,
  });
  const total = (name: string) =>
    published
      .filter((m) => m.name === name && Object.keys(m.dimensions).length === 0)
      .reduce((sum, m) => sum + m.value, 0);
  return Object.assign(sink({ ...defaultDimensions }), { published, total });
}

export const TEST_QUEUE_BASE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/';

export function testRouterDeps(
  overrides: Partial<MskRouterDeps> & { env?: Record<string, string>; routes?: Routes } = {},
): MskRouterDeps & {
  log: ReturnType<typeof captureLog>;
  metricSink: ReturnType<typeof captureMetrics>;
} {
  const log = captureLog();
  const metricSink = captureMetrics();
  const config = readRouterConfig({
    SLUICE_STAGE: 'test',
    SLUICE_QUEUE_URL_BASE: TEST_QUEUE_BASE,
    SLUICE_CLAIM_CHECK_BUCKET: 'sluice-test-claim-check',
    SLUICE_SEND_BACKOFF_BASE_MS: '0',
    SLUICE_SEND_BACKOFF_CAP_MS: '0',
    ...overrides.env,
  });
  return {
    sqs: new SQSClient(OFFLINE_AWS),
    s3: new S3Client(OFFLINE_AWS),
    config,
    parser: new EventParser(),
    routes: ROUTES,
    counter: new MetricCounter(metricSink),
    codeVersion: 'test-sha',
    now: () => new Date('2026-11-28T10:00:00.000Z'),
    sleep: async () => undefined,
    ledger: new MemoryDeadLetterLedger(),
    ...overrides,
    log,
    metricSink,
  };
}

/** Where a router runs against the local services: the stage, its queues and bucket. */
export interface LocalRouterStage {
  readonly stage: string;
  readonly queueUrlBase: string;
  readonly claimCheckBucket: string;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
}

/**
 * Router deps over real clients for integration tests: the stage's configuration (plus
 * `env`), routes as shipped, a captured log and metrics, an in-memory ingest ledger, the real
 * clock.
 *
 * @example
 * ```ts
 * const deps = localRouterDeps({ stage, queueUrlBase, claimCheckBucket, sqs, s3 });
 * ```
 */
export function localRouterDeps(
  where: LocalRouterStage,
  parser = new EventParser(),
  env: Record<string, string> = {},
): MskRouterDeps {
  return {
    sqs: where.sqs,
    s3: where.s3,
    config: readRouterConfig({
      SLUICE_STAGE: where.stage,
      SLUICE_QUEUE_URL_BASE: where.queueUrlBase,
      SLUICE_CLAIM_CHECK_BUCKET: where.claimCheckBucket,
      ...env,
    }),
    parser,
    routes: ROUTES,
    log: captureLog(),
    counter: new MetricCounter(captureMetrics()),
    ledger: new MemoryDeadLetterLedger(),
    codeVersion: 'integration',
    now: () => new Date(),
  };
}
