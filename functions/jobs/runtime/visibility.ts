/**
 * Puts retried deliveries back on their queue with their backoff as visibility timeout.
 */
import { ChangeMessageVisibilityBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { describeError } from '../../shared/errors';
import { MAX_RETRY_DELAY_SECONDS } from '../job-definition';
import type { JobDeps } from './job-deps';
import type { Settlement } from './run-types';

/** Sets each retried delivery's visibility to its backoff, ten per call. */
export async function changeVisibility(
  deps: JobDeps,
  event: SQSEvent,
  settlements: ReadonlyArray<Settlement | undefined>,
): Promise<void> {
  const entries = settlements.flatMap((s, i) =>
    s?.kind === 'retry'
      ? [
          {
            Id: String(i),
            ReceiptHandle: event.Records[i]?.receiptHandle as string,
            VisibilityTimeout: visibilitySeconds(s.delaySeconds),
          },
        ]
      : [],
  );
  for (let start = 0; start < entries.length; start += 10) {
    const chunk = entries.slice(start, start + 10);
    try {
      const { Failed = [] } = await deps.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: deps.config.queueUrl,
          Entries: chunk,
        }),
      );
      for (const failure of Failed) {
        deps.log.warn('Visibility not changed; the message returns at the queue default', {
          messageId: event.Records[Number(failure.Id)]?.messageId,
          code: failure.Code,
        });
      }
    } catch (error) {
      deps.log.warn('Visibility not changed; messages return at the queue default', {
        error: describeError(error),
      });
    }
  }
}

/**
 * A delay SQS accepts as a visibility timeout: whole seconds, at most what is surely left of
 * its 12 hours from the receive ({@link MAX_RETRY_DELAY_SECONDS}). Every retry passes here,
 * so no computed delay (a target's Retry-After of days plus a jitter) can make SQS refuse
 * the entry and the delivery fall back to the queue's default.
 */
function visibilitySeconds(delaySeconds: number): number {
  const whole = Number.isFinite(delaySeconds) ? Math.ceil(delaySeconds) : MAX_RETRY_DELAY_SECONDS;
  return Math.min(MAX_RETRY_DELAY_SECONDS, Math.max(0, whole));
}
