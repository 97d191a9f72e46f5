/**
 * The pipeline a whole-pipeline test runs (test/e2e in process, test/localstack deployed to
 * LocalStack): the clients it is read through and the stage whose resources it uses, and
 * what is left to clean up once the test is done.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@opensearch-project/opensearch';
import type { Admin } from '@platformatic/kafka';
import type { RunningEventSources } from '../../local/event-sources/event-sources';
import { removeStageIndexes } from '../../local/provision/indexes';

export interface PipelineUnderTest {
  readonly sqs: SQSClient;
  readonly search: Client;
  readonly admin: Admin;
  /** The stage whose indexes, queues and tables the run writes. */
  readonly stage: string;
  /** A queue's URL, by its logical name. */
  readonly queueUrl: (logical: string) => string;
}

/**
 * After the run: stops the event sources, removes the stage's indexes and the run's topics
 * (a failure to remove them is ignored), and closes the Kafka admin and search clients.
 *
 * @example
 * ```ts
 * afterAll(() => stopPipeline(pipeline, eventSources, kafkaGroups));
 * ```
 */
export async function stopPipeline(
  pipeline: PipelineUnderTest,
  eventSources: RunningEventSources | undefined,
  consumerGroups: ReadonlyArray<{ readonly topic: string }>,
): Promise<void> {
  const { search, admin } = pipeline;
  await eventSources?.stop();
  await removeStageIndexes(search, pipeline.stage).catch(() => undefined);
  await admin.deleteTopics({ topics: consumerGroups.map((g) => g.topic) }).catch(() => undefined);
  await Promise.allSettled([admin.close(), search.close()]);
}
