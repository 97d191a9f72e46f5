/**
 * The rest of a `--group` redrive: every message of one failure group moved by hand
 * (receive, re-send, delete — SQS redrive cannot filter), other groups released at once,
 * stopped when moved messages keep coming back failing.
 */
import { identitiesOf } from '../dlq-entry';
import { ProgressBar } from '../progress';
import { FailureGuard } from './guard';
import type { PhaseReport, RedriveOutcome, RedriveRun } from './redrive';
import { type MovedMessage, transferMatching } from './transfer';

/**
 * @example
 * ```ts
 * const rest = await moveGroup(run, '45a1a0f73b', canary.moved);
 * ```
 */
export async function moveGroup(
  run: RedriveRun,
  group: string,
  canaryMoved: readonly MovedMessage[],
): Promise<PhaseReport> {
  const { context, settings, dlq } = run;
  const guard = new FailureGuard(settings.guard);
  // The group's size is unknown until the DLQ has been read: the rest of the DLQ bounds it.
  const bar = new ProgressBar(context.io, `group ${group}`, run.depthAtStart - canaryMoved.length);
  const transfer = await transferMatching(context.sqs, {
    sourceUrl: run.dlqUrl,
    destinationUrl: run.destinationUrl,
    matches: run.matches,
    limit: Number.POSITIVE_INFINITY,
    perSecond: settings.perSecond,
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
    // A dead letter of a canary message is a return, never moved again.
    movedBefore: new Map(canaryMoved.flatMap((m) => identitiesOf(m).map((id) => [id, m]))),
    patience: 3,
    ...(context.io.signal ? { signal: context.io.signal } : {}),
    onProgress: (p) => bar.update(p.moved, `${p.returned} back in the DLQ`),
    shouldStop: (p) => guard.observe(p.moved + canaryMoved.length, p.returned),
  });
  if (transfer.stoppedBy === 'drained') bar.setTotal(transfer.moved.length);
  bar.finish(transfer.moved.length, `${transfer.returned.length} back in the DLQ`);
  const moved = canaryMoved.length + transfer.moved.length;
  const unsent = transfer.sendFailures.length;
  const outcome: RedriveOutcome =
    transfer.stoppedBy === 'aborted'
      ? 'aborted'
      : transfer.stoppedBy === 'guard'
        ? 'stopped-by-guard'
        : 'completed';
  const message =
    outcome === 'aborted'
      ? `Interrupted after moving ${moved} message(s) of group ${group}; the rest stay in ${dlq.logical}.`
      : outcome === 'stopped-by-guard'
        ? `Stopped: ${transfer.returned.length} of ${moved} moved messages came back failing. The rest of group ${group} stays in ${dlq.logical}.`
        : `Moved ${moved} message(s) of group ${group} to ${run.destination}${
            unsent > 0 ? `; ${unsent} could not be sent and stay in ${dlq.logical}` : ''
          }.`;
  return {
    groupMove: {
      moved: transfer.moved.length,
      returned: transfer.returned.length,
      sendFailures: unsent,
      stoppedBy: transfer.stoppedBy,
    },
    moved,
    outcome,
    message,
  };
}
