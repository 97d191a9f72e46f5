/**
 * The standard mappings of a stage, built from the topology: one Kafka mapping per topic to
 * the router (its own consumer group, named as the CDK stack names it), the replay queue to
 * the replay handler, and one SQS mapping per job with the job's settings from JOBS. The
 * handlers come in as a parameter, so this module imports no handler and no client.
 */
import type { JobDefinition } from '../../functions/jobs/job-definition';
import {
  REPLAY_MAPPING_DEFAULTS,
  ROUTER_MAPPING_DEFAULTS,
} from '../../functions/topology/mapping-defaults';
import { routerConsumerGroup } from '../../functions/topology/naming';
import { REPLAY_SETTINGS } from '../../functions/topology/queue-settings';
import {
  type JobName,
  jobQueues,
  ROUTER_QUEUES,
  TOPICS,
  type TopicKey,
} from '../../functions/topology/topology';
import { JOB_NAMES, JOBS } from '../../functions/workers/jobs';
import type { KafkaHandler, KafkaMapping, SqsHandler, SqsMapping } from './mappings';

export interface StageHandlers {
  /** The router's MSK handler (functions/router/handler.ts `handler`). */
  readonly router: KafkaHandler;
  /** The replay handler (functions/router/replay-handler.ts `handler`). */
  readonly replay: SqsHandler;
  /** Job handlers by job; jobs without one get no mapping (see `unmappedJobs`). */
  readonly jobs: Partial<Record<JobName, SqsHandler>>;
}

export interface StageMappingsOptions {
  readonly stage: string;
  /** Queue URL per logical queue name, as `provisionStage` returns it. */
  readonly queueUrls: ReadonlyMap<string, string>;
  readonly bootstrapBrokers: readonly string[];
  readonly handlers: StageHandlers;
  /** Physical topic names (tests use per-run topics); the topology's names by default. */
  readonly topicName?: (topic: TopicKey) => string;
  /** Router mapping settings; by default the CDK stack's (infra/config/defaults.ts). */
  readonly router?: {
    readonly batchSize?: number;
    readonly maxBatchingWindowSeconds?: number;
    /** Must match the router's SLUICE_REPORT_BATCH_ITEM_FAILURES; false as deployed. */
    readonly reportBatchItemFailures?: boolean;
    readonly startingPosition?: 'TRIM_HORIZON' | 'LATEST';
  };
  /** Local polling: long-poll wait for every SQS mapping (the mapping default, 5 s). */
  readonly pollWaitSeconds?: number;
}

export interface StageMappings {
  readonly kafka: KafkaMapping[];
  readonly sqs: SqsMapping[];
  /** Jobs left without a mapping because no handler was given: their queues fill up. */
  readonly unmappedJobs: JobName[];
}

/** A default stage's router mapping. */
const ROUTER_DEFAULTS = {
  batchSize: ROUTER_MAPPING_DEFAULTS.batchSize,
  maxBatchingWindowSeconds: ROUTER_MAPPING_DEFAULTS.batchingWindowSeconds,
} as const;
/** A default stage's replay mapping. */
const REPLAY_MAPPING = {
  batchSize: REPLAY_SETTINGS.batchSize,
  maxConcurrency: REPLAY_MAPPING_DEFAULTS.maxConcurrency,
} as const;

/**
 * @example
 * ```ts
 * const stage = await provisionStage('dev');
 * const { kafka, sqs } = stageMappings({
 *   stage: 'dev', queueUrls: stage.queueUrls, bootstrapBrokers: ['127.0.0.1:9092'],
 *   handlers: { router: routerHandler, replay: replayHandler, jobs: { audit: auditHandler } },
 * });
 * const eventSources = await startEventSources({ kafka, sqs });
 * ```
 */
export function stageMappings(options: StageMappingsOptions): StageMappings {
  const { stage, handlers } = options;
  const topicName = options.topicName ?? ((topic: TopicKey) => TOPICS[topic].name);
  const router = { ...ROUTER_DEFAULTS, ...options.router };

  const kafka: KafkaMapping[] = (Object.keys(TOPICS) as TopicKey[]).map((key) => {
    const topic = topicName(key);
    return {
      name: `router:${topic}`,
      topic,
      consumerGroupId: routerConsumerGroup(stage, TOPICS[key].name),
      bootstrapBrokers: options.bootstrapBrokers,
      handler: handlers.router,
      batchSize: router.batchSize,
      maxBatchingWindowSeconds: router.maxBatchingWindowSeconds,
      reportBatchItemFailures: router.reportBatchItemFailures ?? false,
      startingPosition: router.startingPosition ?? 'TRIM_HORIZON',
    };
  });

  const sqs: SqsMapping[] = [
    {
      name: 'replay',
      queueUrl: queueUrl(options.queueUrls, ROUTER_QUEUES.replay),
      handler: handlers.replay,
      ...REPLAY_MAPPING,
      reportBatchItemFailures: true,
      pollWaitSeconds: options.pollWaitSeconds,
    },
  ];
  const unmappedJobs: JobName[] = [];
  for (const job of JOB_NAMES) {
    const handler = handlers.jobs[job];
    if (!handler) {
      unmappedJobs.push(job);
      continue;
    }
    const url = queueUrl(options.queueUrls, jobQueues(job).queue);
    sqs.push({ ...jobMapping(JOBS[job], url, handler), pollWaitSeconds: options.pollWaitSeconds });
  }
  return { kafka, sqs, unmappedJobs };
}

/** A job's SQS mapping: its settings from JOBS; the job runtime always reports item failures. */
export function jobMapping(job: JobDefinition, queueUrl: string, handler: SqsHandler): SqsMapping {
  const { batchSize, maxBatchingWindowSeconds, maxConcurrency, timeoutSeconds } = job.settings;
  return {
    name: `job:${job.name}`,
    queueUrl,
    handler,
    batchSize,
    maxBatchingWindowSeconds,
    maxConcurrency,
    timeoutSeconds,
    reportBatchItemFailures: true,
  };
}

function queueUrl(urls: ReadonlyMap<string, string>, logicalName: string): string {
  const url = urls.get(logicalName);
  if (!url) throw new Error(`No queue URL for "${logicalName}": provision the stage first`);
  return url;
}
