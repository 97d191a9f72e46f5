/**
 * Sluice's dead-letter queues and where each redrives to, from the topology module, and the
 * lookups the commands need: URL by name (GetQueueUrl works on AWS and locally alike because
 * physical names are deterministic), ARN, and depth.
 */
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type QueueAttributeName,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetterStep } from '../../functions/queues/dead-letter';
import { resourceName } from '../../functions/topology/naming';
import { queueTopology } from '../../functions/topology/queue-topology';
import { type JobName, jobQueues, ROUTER_QUEUES } from '../../functions/topology/topology';
import { JOB_NAMES } from '../../functions/workers/jobs';
import { CliError, EXIT } from './io';

/** A dead-letter queue of the topology. */
export interface DeadLetterQueue {
  /** Logical name, e.g. `ingest-dlq`, `job-audit-dlq`. */
  readonly logical: string;
  /** Which step of the pipeline writes it. */
  readonly step: DeadLetterStep;
  readonly job?: JobName;
  /** The queue whose DLQ it is: where its messages are redriven (`ingest-replay`, `job-audit`). */
  readonly redriveTo: string;
}

/**
 * Every DLQ of the topology, ingest first, each with the queue it redrives to.
 *
 * @example
 * ```ts
 * deadLetterQueues()[0]; // { logical: 'ingest-dlq', step: 'ingest', redriveTo: 'ingest-replay' }
 * ```
 */
export function deadLetterQueues(): DeadLetterQueue[] {
  const result: DeadLetterQueue[] = [];
  for (const spec of queueTopology()) {
    if (!spec.deadLetterQueue) continue;
    const job = JOB_NAMES.find((name) => jobQueues(name).dlq === spec.deadLetterQueue);
    result.push({
      logical: spec.deadLetterQueue,
      step: spec.deadLetterQueue === ROUTER_QUEUES.ingestDlq ? 'ingest' : 'job',
      ...(job ? { job } : {}),
      redriveTo: spec.name,
    });
  }
  return result;
}

/**
 * Finds a DLQ by any name a person is likely to type: logical (`job-audit-dlq`), physical
 * (`sluice-dev-job-audit-dlq`), a job name (`audit`) or `ingest`.
 *
 * @throws CliError (usage) naming the DLQs that exist
 */
export function findDeadLetterQueue(name: string, stage: string): DeadLetterQueue {
  const physicalPrefix = resourceName(stage, '');
  const bare = name.startsWith(physicalPrefix) ? name.slice(physicalPrefix.length) : name;
  const all = deadLetterQueues();
  const found = all.find(
    (q) =>
      q.logical === bare ||
      q.job === bare ||
      (bare === 'ingest' && q.step === 'ingest') ||
      q.logical === `job-${bare}-dlq`,
  );
  if (!found) {
    throw new CliError(
      `Unknown dead-letter queue "${name}". Known: ${all.map((q) => q.logical).join(', ')}`,
      EXIT.usage,
    );
  }
  return found;
}

/** Messages in a queue: visible, received and not yet deleted (in flight), and delayed. */
export interface QueueDepth {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
  /** All three: every message the queue holds. */
  readonly total: number;
}

const DEPTH_ATTRIBUTES: QueueAttributeName[] = [
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
];

/**
 * Queue URLs, ARNs and depths of one stage, with URLs and ARNs cached for the run.
 *
 * @example
 * ```ts
 * const queues = new QueueDirectory(sqs, 'dev');
 * const { total } = await queues.depth(await queues.url('ingest-dlq'));
 * ```
 */
export class QueueDirectory {
  private readonly urls = new Map<string, Promise<string>>();
  private readonly arns = new Map<string, Promise<string>>();

  constructor(
    private readonly sqs: SQSClient,
    readonly stage: string,
  ) {}

  /** The URL of a logical queue name; a CliError naming the queue when it does not exist. */
  url(logical: string): Promise<string> {
    let url = this.urls.get(logical);
    if (!url) {
      url = this.lookUp(logical);
      this.urls.set(logical, url);
    }
    return url;
  }

  /** The URL of a logical queue, or undefined when the queue does not exist. */
  async urlIfExists(logical: string): Promise<string | undefined> {
    try {
      return await this.url(logical);
    } catch (error) {
      if (error instanceof CliError) return undefined;
      throw error;
    }
  }

  arn(url: string): Promise<string> {
    let arn = this.arns.get(url);
    if (!arn) {
      arn = this.attributes(url, ['QueueArn']).then((a) => a.QueueArn ?? '');
      this.arns.set(url, arn);
    }
    return arn;
  }

  async attributes(
    url: string,
    names: QueueAttributeName[],
  ): Promise<Partial<Record<QueueAttributeName, string>>> {
    const { Attributes = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: names }),
    );
    return Attributes;
  }

  async depth(url: string): Promise<QueueDepth> {
    return depthOf(await this.attributes(url, DEPTH_ATTRIBUTES));
  }

  private async lookUp(logical: string): Promise<string> {
    const name = resourceName(this.stage, logical);
    try {
      const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
      if (!QueueUrl) throw new Error('no URL returned');
      return QueueUrl;
    } catch (error) {
      const errorName = (error as Error).name;
      if (
        errorName === 'QueueDoesNotExist' ||
        errorName === 'AWS.SimpleQueueService.NonExistentQueue'
      ) {
        throw new CliError(`Queue ${name} does not exist (stage "${this.stage}"; --stage?)`);
      }
      throw error;
    }
  }
}

/** The depth from GetQueueAttributes' approximate counts. */
export function depthOf(attributes: Partial<Record<string, string>>): QueueDepth {
  const visible = Number(attributes.ApproximateNumberOfMessages ?? 0);
  const inFlight = Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
  const delayed = Number(attributes.ApproximateNumberOfMessagesDelayed ?? 0);
  return { visible, inFlight, delayed, total: visible + inFlight + delayed };
}
