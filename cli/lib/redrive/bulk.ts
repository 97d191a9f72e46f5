/**
 * The bulk of a guarded redrive: an SQS message move task (StartMessageMoveTask, the API
 * behind the console's "Start DLQ redrive") at a rate limit, watched every poll. Failures
 * are counted from the DLQ's depth — messages moved out that came back raise it again —
 * and the task is cancelled when they stay above the threshold.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { cancelMoveTask, latestMoveTask, startMoveTask } from '../move-tasks';
import type { ProgressBar } from '../progress';
import type { QueueDirectory } from '../queues';
import { sleep } from '../sleep';
import { receiveMessages, releaseMessages } from '../sqs-ops';
import { FailureGuard, type GuardSettings } from './guard';

export interface BulkMoveOptions {
  readonly sqs: SQSClient;
  readonly queues: QueueDirectory;
  readonly sourceUrl: string;
  readonly sourceArn: string;
  readonly destinationUrl: string;
  readonly destinationArn: string;
  readonly perSecond: number;
  readonly guard: GuardSettings;
  readonly pollMs: number;
  /** After the task ends, how long to wait for the destination to drain before counting. */
  readonly settleMs: number;
  readonly progress?: ProgressBar;
  readonly signal?: AbortSignal;
}

export interface BulkMoveResult {
  /** `completed`: the task moved everything; `stopped`: the guard cancelled it. */
  readonly status: 'completed' | 'stopped' | 'aborted';
  readonly moved: number;
  /** Moved messages that came back to the DLQ (from its depth; approximate on AWS). */
  readonly returned: number;
  /** Messages in the DLQ when the task started. */
  readonly depthAtStart: number;
  /** Whether the destination had drained when counting: if not, `returned` may still grow. */
  readonly settled: boolean;
  readonly reason: string;
}

/**
 * @example
 * ```ts
 * const result = await bulkMove({ sqs, queues, sourceUrl, sourceArn, destinationUrl,
 *   destinationArn, perSecond: 50, guard: { threshold: 0.2, minSample: 20, patience: 3 },
 *   pollMs: 1_000, settleMs: 60_000 });
 * ```
 */
export async function bulkMove(options: BulkMoveOptions): Promise<BulkMoveResult> {
  const { sqs, queues } = options;
  await forgetDeletedMessages(sqs, options.sourceUrl);
  const depthAtStart = (await queues.depth(options.sourceUrl)).total;
  const handle = await startMoveTask(
    sqs,
    options.sourceArn,
    options.destinationArn,
    options.perSecond,
  );
  const guard = new FailureGuard(options.guard);
  options.progress?.setTotal(depthAtStart);
  let moved = 0;
  let returned = 0;
  let status: BulkMoveResult['status'] = 'completed';
  let reason = 'every message was moved';

  while (true) {
    await sleep(options.pollMs, options.signal);
    const [task, depth] = await Promise.all([
      latestMoveTask(sqs, options.sourceArn),
      queues.depth(options.sourceUrl),
    ]);
    const ours = task && (task.taskHandle === undefined || task.taskHandle === handle);
    if (ours) moved = Math.max(moved, task.moved);
    // Each message moved out lowers the depth by one; each that comes back raises it again.
    returned = Math.max(0, depth.total + moved - depthAtStart);
    options.progress?.update(moved, `${returned} back in the DLQ`);
    // The count at cancel time is the final one: the task may have moved more since the poll.
    const cancel = async () => {
      moved = Math.max(moved, (await cancelMoveTask(sqs, handle)) ?? 0);
    };
    if (options.signal?.aborted) {
      await cancel();
      status = 'aborted';
      reason = 'interrupted: the move task was cancelled';
      break;
    }
    if (guard.observe(moved, returned)) {
      await cancel();
      status = 'stopped';
      reason = `failures stayed above ${Math.round(options.guard.threshold * 100)}% for ${options.guard.patience} checks, so the move task was cancelled`;
      break;
    }
    if (!ours || task.status !== 'RUNNING') {
      if (ours && task.status === 'FAILED')
        reason = `the move task failed: ${task.failureReason ?? 'no reason given'}`;
      break;
    }
    if (moved >= depthAtStart && depthAtStart > 0 && returned > 0) {
      // Everything present at the start has gone out once; what the task moves now is
      // failing again in a loop (ElasticMQ keeps moving until the DLQ is empty).
      await cancel();
      reason =
        'every message present at the start was moved once; the task was stopped so failures do not cycle';
      break;
    }
  }

  // Let the destination drain so messages failing right now are counted.
  const settleBy = Date.now() + options.settleMs;
  let settled = false;
  while (!options.signal?.aborted) {
    if ((await queues.depth(options.destinationUrl)).total === 0) {
      settled = true;
      break;
    }
    if (Date.now() >= settleBy) break;
    await sleep(options.pollMs, options.signal);
  }
  const finalDepth = (await queues.depth(options.sourceUrl)).total;
  returned = Math.max(0, finalDepth + moved - depthAtStart);
  options.progress?.finish(moved, `${returned} back in the DLQ`);
  return { status, moved, returned, depthAtStart, settled, reason };
}

/**
 * ElasticMQ 1.7.1 keeps deleted messages in its internal queue until a receive walks past
 * them or a visibility change rebuilds it — and its move task moves them, bringing deleted
 * messages back (here: the canary's originals). Making one received message visible again
 * earlier rebuilds the queue. On SQS this is one harmless extra receive.
 */
async function forgetDeletedMessages(sqs: SQSClient, queueUrl: string): Promise<void> {
  const [message] = await receiveMessages(sqs, queueUrl, 1, 60, 0);
  if (message) await releaseMessages(sqs, queueUrl, [message]);
}
