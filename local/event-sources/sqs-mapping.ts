/**
 * One emulated SQS event source mapping: long polling with all attributes, batches larger
 * than 10 gathered within the batching window, at most `maxConcurrency` invocations at once,
 * and afterwards the successes deleted with DeleteMessageBatch while failed items (or the
 * whole batch, when the handler throws) stay on the queue for their visibility timeout.
 *
 * The receive uses the queue's visibility timeout; the job runtime changes it for retries.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { backoffCeiling } from '../../functions/shared/backoff';
import { sqsFailedMessageIds } from './batch-responses';
import { invokeHandler } from './invoke';
import type { ResolvedSqsMapping } from './mappings';
import type { RunningMapping } from './running-mapping';
import { pause, Slots } from './signals';
import { sqsRecordFrom } from './sqs-event';
import { type EventSourceHooks, type InvocationOutcome, MappingCounters } from './stats';

/** SQS returns at most 10 messages per ReceiveMessage and deletes at most 10 per batch call. */
const SQS_MAX_PER_CALL = 10;
/** Pause after a failed poll, so a stopped service is not hammered. */
const POLL_ERROR_PAUSE_MS = 1000;
/** Pause while the queue does not exist: it takes a person (or a re-provisioning) to fix. */
const MISSING_QUEUE_PAUSE_MS = 10_000;

/**
 * The mapping's queue is gone — on the local stack, because the SQS server restarted without
 * its state. Says what happened and how to recover, once per poll instead of a bare
 * `QueueDoesNotExist`.
 */
export class QueueMissingError extends Error {
  override readonly name = 'QueueMissingError';

  constructor(
    readonly queueUrl: string,
    options: { cause: unknown },
  ) {
    super(
      `Queue ${queueUrl} does not exist. If the SQS server restarted and lost its state, ` +
        'provision the stage again (npm run dev does so by itself) and run lost events again ' +
        'with `npm run sluice -- replay` (see the runbook: "Local services lost their state").',
      options,
    );
  }
}

function isQueueMissing(error: unknown): boolean {
  const name = (error as { name?: string } | null)?.name;
  return name === 'QueueDoesNotExist' || name === 'AWS.SimpleQueueService.NonExistentQueue';
}
/**
 * Deletes of processed messages are tried for about half a minute (0.2 s doubling to 5 s
 * apart): an SQS server that restarts meanwhile still takes them, instead of the whole batch
 * coming back after its visibility timeout (12 minutes for index-product) as duplicates.
 */
const DELETE_ATTEMPTS = 9;
const DELETE_BACKOFF = { baseMs: 200, capMs: 5_000 };

/**
 * Starts the mapping's pollers; resolves once the queue's ARN is known.
 *
 * @example
 * ```ts
 * const running = await startSqsMapping(resolveSqsMapping(mapping), new SQSClient({}), {});
 * await running.stop(); // invocations in flight finish; their successes are deleted
 * ```
 */
export async function startSqsMapping(
  mapping: ResolvedSqsMapping,
  sqs: SQSClient,
  hooks: EventSourceHooks,
): Promise<RunningMapping> {
  const counters = new MappingCounters(mapping.name, 'sqs', hooks);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: mapping.queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = Attributes?.QueueArn;
  if (!queueArn) throw new Error(`Queue ${mapping.queueUrl} has no QueueArn`);
  const source = { eventSourceARN: queueArn };

  const slots = new Slots(mapping.maxConcurrency);
  const stopSignal = new AbortController();
  const invocations = new Set<Promise<void>>();
  const windowMs = mapping.maxBatchingWindowSeconds * 1000;

  async function receive(max: number, waitSeconds: number): Promise<Message[]> {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: mapping.queueUrl,
        MaxNumberOfMessages: max,
        WaitTimeSeconds: waitSeconds,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return Messages;
  }

  /**
   * Receives until the batch is full or the window, counted from the first message, ends.
   * Long polls are whole seconds, so a window may overrun by less than a second. Polls are
   * never aborted: SQS (and ElasticMQ) would still hand the messages of an abandoned long
   * poll to nobody, hiding them for a visibility timeout. So `stop()` waits for them.
   */
  async function gather(): Promise<Message[]> {
    const batch: Message[] = [];
    let deadline: number | undefined;
    while (batch.length < mapping.batchSize && !stopSignal.signal.aborted) {
      let waitSeconds = mapping.pollWaitSeconds;
      if (deadline !== undefined) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) break;
        // At least one second, so a short-polling mapping does not spin through its window.
        waitSeconds = Math.max(1, Math.min(mapping.pollWaitSeconds, Math.ceil(remaining / 1000)));
      }
      const max = Math.min(SQS_MAX_PER_CALL, mapping.batchSize - batch.length);
      try {
        batch.push(...(await receive(max, waitSeconds)));
      } catch (error) {
        // Messages already received are invoked, never dropped.
        if (batch.length === 0) throw error;
        counters.error(error);
        break;
      }
      if (batch.length > 0 && deadline === undefined) {
        if (windowMs === 0) break;
        deadline = Date.now() + windowMs;
      }
    }
    return batch;
  }

  async function deliver(batch: Message[]): Promise<void> {
    const event: SQSEvent = { Records: batch.map((m) => sqsRecordFrom(m, source)) };
    counters.started();
    const started = Date.now();
    const result = await invokeHandler(mapping.handler, event, mapping.timeoutSeconds);
    const ids = event.Records.map((r) => r.messageId);

    let error: unknown;
    let failed: Set<string> | undefined;
    if (!result.ok) {
      error = result.error;
    } else if (!mapping.reportBatchItemFailures) {
      failed = new Set();
    } else {
      failed = sqsFailedMessageIds(result.response, ids);
      if (!failed)
        error = new Error(`Unusable SQSBatchResponse: ${JSON.stringify(result.response)}`);
    }
    let outcome: InvocationOutcome = 'succeeded';
    if (!failed) outcome = 'failed';
    else if (failed.size > 0) outcome = 'partial';

    const succeeded = failed ? event.Records.filter((r) => !failed.has(r.messageId)) : [];
    await deleteMessages(succeeded.map((r) => r.receiptHandle));
    counters.finished({
      mapping: mapping.name,
      kind: 'sqs',
      records: batch.length,
      failedItems: batch.length - succeeded.length,
      outcome,
      durationMs: Date.now() - started,
      error,
    });
  }

  async function deleteMessages(receiptHandles: readonly string[]): Promise<void> {
    for (let start = 0; start < receiptHandles.length; start += SQS_MAX_PER_CALL) {
      let entries = receiptHandles
        .slice(start, start + SQS_MAX_PER_CALL)
        .map((ReceiptHandle, index) => ({ Id: String(index), ReceiptHandle }));
      for (let attempt = 1; entries.length > 0 && attempt <= DELETE_ATTEMPTS; attempt += 1) {
        try {
          const { Failed = [] } = await sqs.send(
            new DeleteMessageBatchCommand({ QueueUrl: mapping.queueUrl, Entries: entries }),
          );
          // Entries SQS blames on the sender will not succeed on another try.
          for (const failure of Failed.filter((f) => f.SenderFault)) {
            counters.error(new Error(`DeleteMessageBatch: ${failure.Code} ${failure.Message}`));
          }
          const retryable = new Set(Failed.filter((f) => !f.SenderFault).map((f) => f.Id));
          entries = entries.filter((e) => retryable.has(e.Id));
        } catch (error) {
          if (attempt === DELETE_ATTEMPTS) counters.error(error);
          else await new Promise((r) => setTimeout(r, backoffCeiling(DELETE_BACKOFF, attempt)));
        }
      }
      // Undeleted messages come back after their visibility timeout: a duplicate, not a loss.
      if (entries.length > 0) {
        counters.error(new Error(`${entries.length} processed messages could not be deleted`));
      }
    }
  }

  async function poll(): Promise<void> {
    while (!stopSignal.signal.aborted) {
      // Hold a slot before receiving: never keep messages invisible that cannot be invoked.
      if (!(await slots.acquire())) break;
      let batch: Message[] = [];
      try {
        batch = await gather();
      } catch (error) {
        if (isQueueMissing(error)) {
          counters.error(new QueueMissingError(mapping.queueUrl, { cause: error }));
          await pause(MISSING_QUEUE_PAUSE_MS, stopSignal.signal);
        } else {
          counters.error(error);
          await pause(POLL_ERROR_PAUSE_MS, stopSignal.signal);
        }
      }
      if (batch.length === 0) {
        slots.release();
        continue;
      }
      const invocation: Promise<void> = deliver(batch)
        // Not invoked (a malformed message): the batch stays and comes back after its visibility.
        .catch((error: unknown) => counters.error(error))
        .finally(() => {
          slots.release();
          invocations.delete(invocation);
        });
      invocations.add(invocation);
    }
  }
  const pollers = Array.from({ length: mapping.pollers }, () => poll());

  return {
    stats: () => counters.snapshot(),
    async stop() {
      // Long polls in flight run out (at most pollWaitSeconds); what they bring is invoked.
      stopSignal.abort();
      slots.close();
      await Promise.all(pollers);
      while (invocations.size > 0) await Promise.all([...invocations]);
      return counters.snapshot();
    },
  };
}
