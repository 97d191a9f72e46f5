/**
 * The local event-source emulation: Lambda's event source mappings emulated in-process against
 * the real local services (Kafka, SQS), calling handler modules unchanged.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { SQSClient } from '@aws-sdk/client-sqs';
import { startKafkaMapping } from './kafka-mapping';
import {
  type KafkaMapping,
  resolveKafkaMapping,
  resolveSqsMapping,
  type SqsMapping,
} from './mappings';
import type { RunningMapping } from './running-mapping';
import { startSqsMapping } from './sqs-mapping';
import type { EventSourceHooks, MappingStats } from './stats';

export interface EventSourcesOptions extends EventSourceHooks {
  readonly kafka?: readonly KafkaMapping[];
  readonly sqs?: readonly SqsMapping[];
  /** For polling and deleting; by default one from the standard AWS variables. */
  readonly sqsClient?: SQSClient;
  /** For `eventSourceArn`/`awsRegion` defaults; AWS_REGION, else us-east-1. */
  readonly region?: string;
}

export interface RunningEventSources {
  /** Live totals per mapping, in the order the mappings were given (Kafka first). */
  stats(): MappingStats[];
  /**
   * Stops every mapping: no new polls, invocations in flight finish, their offsets are
   * committed and their successes deleted; consumers leave their groups. Idempotent.
   */
  stop(): Promise<MappingStats[]>;
}

/**
 * Checks every mapping as Lambda would (throws {@link InvalidMappingError} before anything
 * starts), then starts them all; resolves when every consumer group is joined and every
 * poller runs. If one fails to start, the others are stopped and the error is thrown.
 *
 * @example
 * ```ts
 * const eventSources = await startEventSources({
 *   kafka: [{ name: 'router:orders', topic: 'orders.events', consumerGroupId: 'sluice-dev-router',
 *             bootstrapBrokers: ['127.0.0.1:9092'], handler: routerHandler }],
 *   sqs: [{ name: 'job:audit', queueUrl, handler: auditHandler, reportBatchItemFailures: true }],
 *   onInvoke: (report) => console.log(report.mapping, report.outcome, report.records),
 * });
 * // …
 * await eventSources.stop();
 * ```
 */
export async function startEventSources(
  options: EventSourcesOptions,
): Promise<RunningEventSources> {
  const region = options.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const kafka = (options.kafka ?? []).map((m) => resolveKafkaMapping(m, region));
  const sqsMappings = (options.sqs ?? []).map(resolveSqsMapping);
  checkUnique(
    'mapping name',
    [...kafka, ...sqsMappings].map((m) => m.name),
  );
  // AWS requires a consumer group id unique across the account's Kafka mappings.
  checkUnique(
    'consumer group id',
    kafka.map((m) => m.consumerGroupId),
  );

  const hooks: EventSourceHooks = { onInvoke: options.onInvoke, onError: options.onError };
  const sqs = options.sqsClient ?? pollingSqsClient();
  const started = await Promise.allSettled([
    ...kafka.map((m) => startKafkaMapping(m, hooks)),
    ...sqsMappings.map((m) => startSqsMapping(m, sqs, hooks)),
  ]);
  const running = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = started.find((r) => r.status === 'rejected');
  if (failure) {
    await Promise.all(running.map((m) => m.stop()));
    throw failure.reason;
  }

  let stopped: Promise<MappingStats[]> | undefined;
  return {
    stats: () => running.map((m) => m.stats()),
    stop() {
      stopped ??= stopAll(running, sqs, options.sqsClient === undefined);
      return stopped;
    },
  };
}

async function stopAll(
  running: readonly RunningMapping[],
  sqs: SQSClient,
  ownsClient: boolean,
): Promise<MappingStats[]> {
  const stats = await Promise.all(running.map((m) => m.stop()));
  if (ownsClient) sqs.destroy();
  return stats;
}

/**
 * An SQS client with room for many long polls at once: the SDK's default of 50 sockets per
 * host would let idle polls starve deletes and receives of other mappings.
 */
export function pollingSqsClient(): SQSClient {
  const agentOptions = { keepAlive: true, maxSockets: 512 };
  return new SQSClient({
    requestHandler: {
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
    },
  });
}

function checkUnique(what: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw new Error(`Duplicate ${what} "${value}" among the mappings`);
    seen.add(value);
  }
}
