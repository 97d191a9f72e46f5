/**
 * The end of the end-to-end tests, once "the fix" (a build that knows LOGIN_FAILED v2) is
 * deployed: the ingest DLQ is redriven into the replay queue as the console's "Start DLQ
 * redrive" with a custom destination does (StartMessageMoveTask), the UNKNOWN_VERSION records
 * are processed this time (their audit documents appear), and every other dead letter comes
 * back with its second failure in its history.
 */
import {
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { expect } from 'vitest';
import type { DeadLetter } from '../../functions/queues/dead-letter';
import { resourceName } from '../../functions/topology/naming';
import { ROUTER_QUEUES } from '../../functions/topology/topology';
import { peekAll, waitFor } from '../../local/shared/inspect';
import { queueDepth } from '../../local/shared/queue-counts';
import type { ShopRecord } from '../../local/shop/scenario';
import type { PipelineUnderTest } from './pipeline-under-test';

/** A queue's ARN, from its URL. */
export async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn as string;
}

export interface RedriveContext {
  /** The records the first pass dead-lettered. */
  readonly deadLetters: readonly ShopRecord[];
  /** Waits until the pipeline is quiet and `until` holds. */
  readonly settle: (what: string, until: () => Promise<boolean>) => Promise<void>;
  /** Appended to assertion messages (where to look). */
  readonly evidence?: string;
  /**
   * Called before the move starts with a promise that settles when it has: a harness whose
   * replays it can hold makes them wait for it. ElasticMQ's move task moves until the DLQ is
   * empty (MoveMessagesAsyncOps pops to the end), so a dead letter that fails again and lands
   * in the DLQ while it runs is moved a second time; SQS moves the messages counted at the
   * start (ApproximateNumberOfMessagesToMove).
   */
  readonly holdReplaysUntil?: (moved: Promise<void>) => void;
}

/**
 * @example
 * ```ts
 * await deployTheFix();
 * await redriveAfterTheFix(pipeline, { deadLetters, settle });
 * ```
 */
export async function redriveAfterTheFix(
  pipeline: PipelineUnderTest,
  ctx: RedriveContext,
): Promise<void> {
  const { sqs, search, queueUrl } = pipeline;
  const auditAlias = resourceName(pipeline.stage, 'audit');
  const unknownVersion = ctx.deadLetters.filter((r) => r.invalid === 'UNKNOWN_VERSION');
  expect(unknownVersion.length).toBeGreaterThan(0);
  const remaining = ctx.deadLetters.length - unknownVersion.length;
  const dlqUrl = queueUrl(ROUTER_QUEUES.ingestDlq);
  const dlqArn = await queueArn(sqs, dlqUrl);
  const moved = async () => {
    const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }));
    return Results[0]?.Status === 'COMPLETED';
  };
  let release = () => {};
  ctx.holdReplaysUntil?.(
    new Promise<void>((resolve) => {
      release = resolve;
    }),
  );
  try {
    await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: dlqArn,
        DestinationArn: await queueArn(sqs, queueUrl(ROUTER_QUEUES.replay)),
      }),
    );
    if (ctx.holdReplaysUntil) {
      await waitFor('the move task', moved, { timeoutMs: 60_000, intervalMs: 200 });
    }
  } finally {
    release();
  }
  await ctx.settle(
    'the redrive',
    async () => (await moved()) && (await queueDepth(sqs, dlqUrl)) === remaining,
  );

  // The replayed events ran their jobs: their audit documents exist.
  await search.indices.refresh({ index: auditAlias });
  const replayedIds = [
    ...new Set(unknownVersion.map((r) => JSON.parse(r.value.toString()).id as string)),
  ];
  const { body } = await search.count({
    index: auditAlias,
    body: { query: { terms: { eventId: replayedIds } } },
  });
  expect(body.count, ctx.evidence).toBe(replayedIds.length);
  // The rest failed again, each with the new failure appended to its history.
  const letters = (await peekAll(sqs, dlqUrl, remaining)).map(
    (m) => JSON.parse(m.Body ?? '{}') as DeadLetter,
  );
  expect(letters).toHaveLength(remaining);
  expect(letters.some((l) => l.reason === 'UNKNOWN_VERSION')).toBe(false);
  expect(letters.every((l) => l.history.length === 2)).toBe(true);
}
