/**
 * Whether a stage's pipeline has run dry: every record of its topics committed by the router
 * consumer groups, and no message left (visible or in flight) in any job queue or the replay
 * queue. The end-to-end tests wait for it before checking effects.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Admin } from '@platformatic/kafka';
import { jobQueues, ROUTER_QUEUES, TOPICS, type TopicKey } from '../../functions/topology/topology';
import { JOB_NAMES } from '../../functions/workers/jobs';
import { consumerLag } from '../dev/kafka-lag';
import { queueDepth } from './queue-counts';

export interface PipelineProbe {
  readonly admin: Admin;
  readonly sqs: SQSClient;
  /** A queue's URL by its topology name. */
  readonly queueUrl: (logical: string) => string;
  /** The router mappings' topics and consumer groups. */
  readonly consumerGroups: ReadonlyArray<{ readonly topic: string; readonly group: string }>;
  /** The topics actually used for the topology's (tests use per-run topics). */
  readonly topicName: (topic: TopicKey) => string;
}

/** Partitions of a topic in use, by the topology topic it stands for (1 if none). */
export function topicPartitions(topic: string, topicName: (topic: TopicKey) => string): number {
  const key = (Object.keys(TOPICS) as TopicKey[]).find((k) => topicName(k) === topic);
  return key ? TOPICS[key].partitions : 1;
}

/**
 * @example
 * ```ts
 * const { done, detail } = await pipelineQuiet({ admin, sqs, queueUrl, consumerGroups, topicName });
 * // detail: 'lag 0, messages in queues 3'
 * ```
 */
export async function pipelineQuiet(
  probe: PipelineProbe,
): Promise<{ readonly done: boolean; readonly detail: string }> {
  const lags = await Promise.all(
    probe.consumerGroups.map(({ topic, group }) =>
      consumerLag(probe.admin, group, [
        { topic, partitions: topicPartitions(topic, probe.topicName) },
      ]),
    ),
  );
  const lag = lags.flat().reduce((sum, t) => sum + t.lag, 0);
  const queues = [...JOB_NAMES.map((job) => jobQueues(job).queue), ROUTER_QUEUES.replay];
  const depths = await Promise.all(queues.map((q) => queueDepth(probe.sqs, probe.queueUrl(q))));
  const waiting = depths.reduce((sum, d) => sum + d, 0);
  return { done: lag === 0 && waiting === 0, detail: `lag ${lag}, messages in queues ${waiting}` };
}
