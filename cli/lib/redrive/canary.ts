/**
 * The canary of a guarded redrive: N messages moved by hand, then watched until each has
 * ended, and a verdict on whether the rest may follow.
 */
import { JobRecords } from '../../../functions/jobs/stores/job-records';
import { TABLES } from '../../../functions/topology/topology';
import { canaryVerdict } from './guard';
import { type MessageOutcome, watchOutcomes } from './outcomes';
import type { PhaseReport, RedriveReport, RedriveRun } from './redrive';
import { type MovedMessage, transferMatching } from './transfer';

const POLL_MS = 1_000;

export interface CanaryPhase {
  readonly moved: MovedMessage[];
  readonly report: NonNullable<RedriveReport['canary']>;
  /** Set when the redrive must end here. */
  readonly stop?: PhaseReport;
}

/**
 * @example
 * ```ts
 * const canary = await runCanary(run);
 * if (canary.stop) return canary.stop;
 * ```
 */
export async function runCanary(run: RedriveRun): Promise<CanaryPhase> {
  const { context, settings, dlq } = run;
  const { io, sqs, queues } = context;
  const signal = io.signal;
  io.stderr(
    `canary: moving ${settings.canary} message(s) from ${dlq.logical} to ${run.destination}\n`,
  );
  const transfer = await transferMatching(sqs, {
    sourceUrl: run.dlqUrl,
    destinationUrl: run.destinationUrl,
    matches: run.matches,
    limit: settings.canary,
    perSecond: settings.perSecond,
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
    patience: 3,
    ...(signal ? { signal } : {}),
  });
  const moved = transfer.moved;
  if (moved.length === 0) {
    const what = settings.group ? `group ${settings.group}` : 'a message';
    return {
      moved,
      report: { verdict: canaryVerdict([], settings.guard.threshold), outcomes: [] },
      stop: {
        moved: 0,
        outcome: transfer.stoppedBy === 'aborted' ? 'aborted' : 'nothing-to-do',
        message: `No message of ${what} found in ${dlq.logical}.`,
      },
    };
  }
  io.stderr(
    `canary: ${moved.length} sent; waiting up to ${settings.canaryTimeoutSeconds}s for their outcome\n`,
  );
  let lastNote = '';
  const outcomes = await watchOutcomes(moved, {
    sqs,
    queues,
    // Job records hold a job letter's outcome; the ingest DLQ has none.
    ...(dlq.step === 'job'
      ? { records: new JobRecords(context.dynamodb, context.name(TABLES.jobRecords.name), 0) }
      : {}),
    dlqUrl: run.dlqUrl,
    destinationUrl: run.destinationUrl,
    startedAt: run.startedAt,
    timeoutMs: settings.canaryTimeoutSeconds * 1000,
    pollMs: POLL_MS,
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
    ...(signal ? { signal } : {}),
    onUpdate: (current) => {
      const note = summarize(current);
      if (note !== lastNote) io.stderr(`canary: ${note}\n`);
      lastNote = note;
    },
  });
  const verdict = canaryVerdict(outcomes, settings.guard.threshold);
  const report = { verdict, outcomes: outcomes.map(describe) };
  if (signal?.aborted) {
    return {
      moved,
      report,
      stop: { moved: moved.length, outcome: 'aborted', message: 'Interrupted during the canary.' },
    };
  }
  if (!verdict.go) {
    return {
      moved,
      report,
      stop: {
        moved: moved.length,
        outcome: 'stopped-by-canary',
        message: `Stopped after the canary: ${verdict.reason}. Nothing else was moved.`,
      },
    };
  }
  return { moved, report };
}

function summarize(outcomes: readonly MessageOutcome[]): string {
  const count = (o: string) => outcomes.filter((x) => x.outcome === o).length;
  return `${count('processed')} processed, ${count('failed')} failed, ${count('pending')} pending`;
}

function describe(o: MessageOutcome) {
  return {
    subject: o.moved.subject,
    outcome: o.outcome,
    detail: o.detail,
    ...(o.error ? { error: o.error } : {}),
  };
}
