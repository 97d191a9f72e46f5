/**
 * What an emulated event source mapping is: the source, the handler it invokes and the
 * settings Lambda's CreateEventSourceMapping takes, checked against Lambda's limits and
 * completed with Lambda's defaults (local-only settings are marked as such).
 */
import type { MSKEvent, SQSEvent } from 'aws-lambda';

/** A Kafka handler module's export, called unchanged: `(event) => Promise<response>`. */
export type KafkaHandler = (event: MSKEvent) => Promise<unknown>;
/** An SQS handler module's export, called unchanged. */
export type SqsHandler = (event: SQSEvent) => Promise<unknown>;

export interface KafkaMapping {
  /** Shown in stats and reports, e.g. `router:orders.events`. */
  readonly name: string;
  /** One topic per mapping, as on AWS. */
  readonly topic: string;
  /** The mapping's own consumer group; unique per mapping. */
  readonly consumerGroupId: string;
  readonly bootstrapBrokers: readonly string[];
  readonly handler: KafkaHandler;
  /** 1–10,000; Lambda's default 100. */
  readonly batchSize?: number;
  /** 0–300 s; Lambda's default 0.5 s. Fractions are allowed locally. */
  readonly maxBatchingWindowSeconds?: number;
  /** Where a group without committed offsets starts; default TRIM_HORIZON (AWS: required). */
  readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  /** Honour a `KafkaBatchResponse`; Lambda's default false (provisioned mode only on AWS). */
  readonly reportBatchItemFailures?: boolean;
  /** Local: wait before a failed batch is delivered again (AWS does not document it); 1 s. */
  readonly retryDelayMs?: number;
  /** Function timeout: a longer invocation counts as failed. None by default. */
  readonly timeoutSeconds?: number;
  /** `eventSourceArn` in the events; a local cluster ARN by default. */
  readonly eventSourceArn?: string;
}

export interface SqsMapping {
  /** Shown in stats and reports, e.g. `job:audit`. */
  readonly name: string;
  readonly queueUrl: string;
  readonly handler: SqsHandler;
  /** 1–10, up to 10,000 with a batching window; Lambda's default 10. */
  readonly batchSize?: number;
  /** 0–300 s; default 0. Fractions are allowed locally. */
  readonly maxBatchingWindowSeconds?: number;
  /** Concurrent invocations, 2–1000; default 5 locally (AWS: up to the account's concurrency). */
  readonly maxConcurrency?: number;
  /** Honour an `SQSBatchResponse`; Lambda's default false. */
  readonly reportBatchItemFailures?: boolean;
  /**
   * Local: long-poll wait per ReceiveMessage, 0–20 s; default 5 (Lambda: 20). `stop()` waits
   * for polls in flight, so this bounds how long stopping takes.
   */
  readonly pollWaitSeconds?: number;
  /** Local: ReceiveMessage loops; default min(maxConcurrency, 5), Lambda's initial pollers. */
  readonly pollers?: number;
  readonly timeoutSeconds?: number;
}

export type ResolvedKafkaMapping = Required<Omit<KafkaMapping, 'timeoutSeconds'>> & {
  readonly timeoutSeconds?: number;
};
export type ResolvedSqsMapping = Required<Omit<SqsMapping, 'timeoutSeconds'>> & {
  readonly timeoutSeconds?: number;
};

/** A mapping Lambda would refuse; lists every problem. */
export class InvalidMappingError extends Error {
  constructor(
    readonly mapping: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid event source mapping "${mapping}": ${problems.join('; ')}`);
    this.name = 'InvalidMappingError';
  }
}

/**
 * Lambda's defaults and limits for a Kafka mapping.
 *
 * @example
 * ```ts
 * resolveKafkaMapping({ name: 'router', topic: 'orders.events', consumerGroupId: 'g',
 *   bootstrapBrokers: ['127.0.0.1:9092'], handler }, 'us-east-1').batchSize; // 100
 * ```
 */
export function resolveKafkaMapping(mapping: KafkaMapping, region: string): ResolvedKafkaMapping {
  const resolved = {
    batchSize: 100,
    maxBatchingWindowSeconds: 0.5,
    startingPosition: 'TRIM_HORIZON' as const,
    reportBatchItemFailures: false,
    retryDelayMs: 1000,
    eventSourceArn: `arn:aws:kafka:${region}:000000000000:cluster/sluice-local/local`,
    ...withoutUndefined(mapping),
  };
  const problems: string[] = [];
  range(problems, 'batchSize', resolved.batchSize, 1, 10_000, true);
  range(problems, 'maxBatchingWindowSeconds', resolved.maxBatchingWindowSeconds, 0, 300, false);
  range(problems, 'retryDelayMs', resolved.retryDelayMs, 0, 3_600_000, false);
  if (resolved.timeoutSeconds !== undefined) {
    // Lambda allows at most 14 minutes for functions behind a Kafka mapping.
    range(problems, 'timeoutSeconds', resolved.timeoutSeconds, 0.001, 840, false);
  }
  if (resolved.bootstrapBrokers.length === 0) problems.push('bootstrapBrokers must not be empty');
  if (!resolved.consumerGroupId) problems.push('consumerGroupId must not be empty');
  if (problems.length > 0) throw new InvalidMappingError(mapping.name, problems);
  return resolved;
}

/**
 * Lambda's defaults and limits for an SQS mapping.
 *
 * @example
 * ```ts
 * resolveSqsMapping({ name: 'job:audit', queueUrl, handler, batchSize: 100,
 *   maxBatchingWindowSeconds: 5, maxConcurrency: 5 }).pollers; // 5
 * ```
 */
export function resolveSqsMapping(mapping: SqsMapping): ResolvedSqsMapping {
  const maxConcurrency = mapping.maxConcurrency ?? 5;
  const resolved = {
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    reportBatchItemFailures: false,
    pollWaitSeconds: 5,
    pollers: Math.min(maxConcurrency, 5),
    ...withoutUndefined(mapping),
    maxConcurrency,
  };
  const problems: string[] = [];
  range(problems, 'maxBatchingWindowSeconds', resolved.maxBatchingWindowSeconds, 0, 300, false);
  // More than 10 messages per batch only with a batching window, as Lambda requires.
  const maxBatch = resolved.maxBatchingWindowSeconds > 0 ? 10_000 : 10;
  range(problems, 'batchSize', resolved.batchSize, 1, maxBatch, true);
  range(problems, 'maxConcurrency', resolved.maxConcurrency, 2, 1000, true);
  range(problems, 'pollWaitSeconds', resolved.pollWaitSeconds, 0, 20, true);
  range(problems, 'pollers', resolved.pollers, 1, resolved.maxConcurrency, true);
  if (resolved.timeoutSeconds !== undefined) {
    range(problems, 'timeoutSeconds', resolved.timeoutSeconds, 0.001, 900, false);
  }
  if (problems.length > 0) throw new InvalidMappingError(mapping.name, problems);
  return resolved;
}

function range(
  problems: string[],
  name: string,
  value: number,
  min: number,
  max: number,
  integer: boolean,
): void {
  const valid = Number.isFinite(value) && value >= min && value <= max;
  if (!valid || (integer && !Number.isInteger(value))) {
    problems.push(
      `${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${value}`,
    );
  }
}

/** Drops keys set to undefined, so they do not override defaults in a spread. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
