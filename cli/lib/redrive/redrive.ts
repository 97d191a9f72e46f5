/**
 * A guarded redrive of one DLQ, end to end:
 *
 * 1. a canary of N messages is moved by hand and watched until each has ended (processed,
 *    or back in the DLQ); too many failures, or no answer, stops here;
 * 2. the rest is moved at a rate limit — by an SQS move task for the whole queue, or by hand
 *    for one failure group (`--group`, since SQS redrive cannot filter) — and stopped when
 *    failures stay above the threshold.
 */
import type { CliContext } from '../context';
import { CliError, EXIT } from '../io';
import { latestMoveTask } from '../move-tasks';
import { ProgressBar } from '../progress';
import { type DeadLetterQueue, findDeadLetterQueue } from '../queues';
import { type BulkMoveResult, bulkMove } from './bulk';
import { runCanary } from './canary';
import { moveGroup } from './group-move';
import { type CanaryVerdict, FailureGuard, type GuardSettings } from './guard';
import type { TransferResult } from './transfer';

export interface RedriveSettings {
  /** Canary size; 0 skips the canary. */
  readonly canary: number;
  readonly canaryTimeoutSeconds: number;
  /** Messages per second for the rest (MaxNumberOfMessagesPerSecond, ≤ 500). */
  readonly perSecond: number;
  readonly guard: GuardSettings;
  /** Only this failure group (fingerprint id). */
  readonly group?: string;
  /** Another destination than the queue the DLQ serves (logical name). */
  readonly to?: string;
  readonly visibilityTimeoutSeconds: number;
  readonly settleSeconds: number;
  readonly pollMs: number;
}

export type RedriveOutcome =
  | 'completed'
  | 'nothing-to-do'
  | 'stopped-by-canary'
  | 'stopped-by-guard'
  | 'aborted';

export interface RedriveReport {
  readonly queue: string;
  readonly destination: string;
  readonly group?: string;
  readonly depthAtStart: number;
  readonly canary?: {
    readonly verdict: CanaryVerdict;
    readonly outcomes: Array<{
      subject: string;
      outcome: string;
      detail: string;
      error?: string;
    }>;
  };
  /** Whole-queue bulk (move task). */
  readonly bulk?: BulkMoveResult;
  /** Group bulk (by hand). */
  readonly groupMove?: {
    readonly moved: number;
    readonly returned: number;
    readonly sendFailures: number;
    readonly stoppedBy: TransferResult['stoppedBy'];
  };
  /** Messages moved out of the DLQ in all, canary included. */
  readonly moved: number;
  readonly outcome: RedriveOutcome;
  readonly message: string;
}

/** One redrive in progress: what every phase needs to know. */
export interface RedriveRun {
  readonly context: CliContext;
  readonly settings: RedriveSettings;
  readonly dlq: DeadLetterQueue;
  readonly dlqUrl: string;
  readonly dlqArn: string;
  readonly destination: string;
  readonly destinationUrl: string;
  readonly depthAtStart: number;
  readonly startedAt: Date;
  /** Which DLQ messages this redrive is about: one group, or all. */
  readonly matches: (entry: { fingerprint: { id: string } }) => boolean;
}

/** The part of a report a phase fills in. */
export type PhaseReport = Pick<RedriveReport, 'moved' | 'outcome' | 'message'> &
  Partial<Pick<RedriveReport, 'bulk' | 'groupMove'>>;

/**
 * @example
 * ```ts
 * const report = await redrive(context, 'job-audit-dlq', { canary: 10, canaryTimeoutSeconds: 120,
 *   perSecond: 20, guard: { threshold: 0.2, minSample: 20, patience: 3 },
 *   visibilityTimeoutSeconds: 30, settleSeconds: 30, pollMs: 1_000 });
 * ```
 */
export async function redrive(
  context: CliContext,
  queueName: string,
  settings: RedriveSettings,
): Promise<RedriveReport> {
  const dlq = findDeadLetterQueue(queueName, context.stage);
  const destination = settings.to ?? dlq.redriveTo;
  const { queues, sqs } = context;
  const [dlqUrl, destinationUrl] = await Promise.all([
    queues.url(dlq.logical),
    queues.url(destination),
  ]);
  const dlqArn = await queues.arn(dlqUrl);
  const running = await latestMoveTask(sqs, dlqArn);
  if (running?.status === 'RUNNING') {
    throw new CliError(
      `A move task is already running on ${dlq.logical} (${running.moved}/${running.toMove} moved). Wait for it, or cancel it first.`,
    );
  }
  const depthAtStart = (await queues.depth(dlqUrl)).total;
  const base = {
    queue: dlq.logical,
    destination,
    ...(settings.group ? { group: settings.group } : {}),
    depthAtStart,
  };
  if (depthAtStart === 0) {
    return { ...base, moved: 0, outcome: 'nothing-to-do', message: `${dlq.logical} is empty.` };
  }
  const group = settings.group;
  const run: RedriveRun = {
    context,
    settings,
    dlq,
    dlqUrl,
    dlqArn,
    destination,
    destinationUrl,
    depthAtStart,
    startedAt: new Date(),
    matches: group ? (e) => e.fingerprint.id === group : () => true,
  };

  const canary = settings.canary > 0 ? await runCanary(run) : undefined;
  const canaryReport = canary ? { canary: canary.report } : {};
  if (canary?.stop) return { ...base, ...canaryReport, ...canary.stop };
  const canaryMoved = canary?.moved ?? [];
  if (!group && canary && (await queues.depth(dlqUrl)).total === 0) {
    const moved = canaryMoved.length;
    const message = `The canary was the whole queue: ${moved} message(s) moved to ${destination}.`;
    return { ...base, ...canaryReport, moved, outcome: 'completed', message };
  }
  const rest = group
    ? await moveGroup(run, group, canaryMoved)
    : await moveAll(run, canaryMoved.length);
  return { ...base, ...canaryReport, ...rest };
}

/** The rest of a whole-queue redrive: a rate-limited, guarded message move task. */
async function moveAll(run: RedriveRun, canaryMoved: number): Promise<PhaseReport> {
  const { context, settings, dlq } = run;
  const bulk = await bulkMove({
    sqs: context.sqs,
    queues: context.queues,
    sourceUrl: run.dlqUrl,
    sourceArn: run.dlqArn,
    destinationUrl: run.destinationUrl,
    destinationArn: await context.queues.arn(run.destinationUrl),
    perSecond: settings.perSecond,
    guard: settings.guard,
    pollMs: settings.pollMs,
    settleMs: settings.settleSeconds * 1000,
    progress: new ProgressBar(context.io, 'moving', run.depthAtStart),
    ...(context.io.signal ? { signal: context.io.signal } : {}),
  });
  const moved = canaryMoved + bulk.moved;
  const ratio = FailureGuard.ratio(bulk.moved, bulk.returned);
  const outcome: RedriveOutcome =
    bulk.status === 'aborted'
      ? 'aborted'
      : bulk.status === 'stopped' || ratio > settings.guard.threshold
        ? 'stopped-by-guard'
        : 'completed';
  const left = Math.max(0, bulk.depthAtStart - bulk.moved);
  const message =
    outcome === 'completed'
      ? `Moved ${moved} message(s) to ${run.destination}; ${bulk.returned} came back to ${dlq.logical}${bulk.settled ? '' : ' so far (the destination had not drained yet)'}.`
      : outcome === 'aborted'
        ? `Interrupted after moving ${moved} message(s); the move task was cancelled and the rest stay in ${dlq.logical}.`
        : bulk.status === 'stopped'
          ? `Stopped: ${bulk.returned} of ${bulk.moved} moved messages came back — ${bulk.reason}. ${left} message(s) were not moved and stay in ${dlq.logical}.`
          : `Every message was moved, but ${bulk.returned} of ${bulk.moved} came back to ${dlq.logical} (above ${Math.round(settings.guard.threshold * 100)}%).`;
  return { bulk, moved, outcome, message };
}

/** The exit code of a redrive: a guard stop is not a crash, but not a success either. */
export function redriveExitCode(report: RedriveReport): number {
  if (report.outcome === 'completed' || report.outcome === 'nothing-to-do') return EXIT.ok;
  if (report.outcome === 'aborted') return EXIT.error;
  return EXIT.stopped;
}
