/**
 * Moves selected messages from a DLQ to another queue by hand — receive, re-send (same body
 * and attributes), delete — because SQS's own redrive cannot filter. The canary and
 * `--group` use it.
 *
 * Nothing is lost if it dies at any point: a message is deleted only after its copy was
 * accepted (dying in between leaves a duplicate, which idempotent jobs absorb), messages it
 * does not want are made visible again at once, and anything still held reappears by itself
 * after the visibility timeout.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type DlqEntry, dlqEntry, identitiesOf, subjectOf } from '../dlq-entry';
import type { Fingerprint } from '../fingerprint';
import { sleep } from '../sleep';
import { deleteMessages, receiveMessages, releaseMessages, resendMessages } from '../sqs-ops';

/** A message this run moved out of the DLQ. */
export interface MovedMessage {
  readonly identity: string;
  readonly subject: string;
  readonly fingerprint: Fingerprint;
  readonly jobId?: string;
  /** The ids of the jobs of a pack: their letters are this message's returns. */
  readonly packedJobIds?: readonly string[];
  /** When it last failed (the dead letter's lastFailedAt): a later failure means it failed again. */
  readonly lastFailedAt?: string;
  readonly originalMessageId: string;
  readonly newMessageId: string;
}

export interface TransferOptions {
  readonly sourceUrl: string;
  readonly destinationUrl: string;
  /** Which messages to move; the others are made visible again at once. */
  readonly matches: (entry: DlqEntry) => boolean;
  /** Stop after moving this many. */
  readonly limit: number;
  /** At most this many messages moved per second. */
  readonly perSecond: number;
  /** How long a received message stays hidden if this process dies holding it. */
  readonly visibilityTimeoutSeconds: number;
  /** Messages moved earlier in this redrive (the canary): a letter about one of them is a return. */
  readonly movedBefore?: ReadonlyMap<string, MovedMessage>;
  /** Receives in a row that bring nothing new before the queue counts as seen whole. */
  readonly patience: number;
  readonly signal?: AbortSignal;
  /** After each batch moved. */
  readonly onProgress?: (progress: TransferProgress) => void;
  /** Asked after each receive; true stops the transfer (a failure guard). */
  readonly shouldStop?: (progress: TransferProgress) => boolean;
}

export interface TransferProgress {
  readonly moved: number;
  /** Messages moved in this redrive that came back to the DLQ, failed again. */
  readonly returned: number;
}

export interface TransferResult {
  readonly moved: MovedMessage[];
  /** Dead letters about messages this redrive moved, seen back in the DLQ. */
  readonly returned: DlqEntry[];
  /** Copies SQS refused; their originals stayed in the DLQ. */
  readonly sendFailures: Array<{ messageId: string; reason: string }>;
  readonly stoppedBy: 'drained' | 'limit' | 'aborted' | 'guard';
}

/**
 * @example
 * ```ts
 * const { moved } = await transferMatching(sqs, {
 *   sourceUrl: dlqUrl, destinationUrl: replayUrl, matches: (e) => e.fingerprint.id === group,
 *   limit: Infinity, perSecond: 20, visibilityTimeoutSeconds: 30, patience: 3,
 * });
 * ```
 */
export async function transferMatching(
  sqs: SQSClient,
  options: TransferOptions,
): Promise<TransferResult> {
  const moved: MovedMessage[] = [];
  const movedByIdentity = new Map<string, MovedMessage>(options.movedBefore ?? []);
  const returned: DlqEntry[] = [];
  const sendFailures: TransferResult['sendFailures'] = [];
  const seen = new Set<string>();
  const started = Date.now();
  let idleRounds = 0;
  const progress = (): TransferProgress => ({ moved: moved.length, returned: returned.length });
  // About a second's worth per batch, so the pace is smooth and a kill interrupts little.
  const batchSize = Math.max(1, Math.min(10, Math.ceil(options.perSecond)));

  while (true) {
    if (options.signal?.aborted) return { moved, returned, sendFailures, stoppedBy: 'aborted' };
    if (moved.length >= options.limit) return { moved, returned, sendFailures, stoppedBy: 'limit' };
    if (options.shouldStop?.(progress())) {
      return { moved, returned, sendFailures, stoppedBy: 'guard' };
    }
    if (idleRounds >= options.patience) {
      return { moved, returned, sendFailures, stoppedBy: 'drained' };
    }
    const messages = await receiveMessages(
      sqs,
      options.sourceUrl,
      10,
      options.visibilityTimeoutSeconds,
    );
    if (messages.length === 0) return { moved, returned, sendFailures, stoppedBy: 'drained' };

    const wanted: DlqEntry[] = [];
    const others: DlqEntry[] = [];
    let somethingNew = false;
    for (const entry of messages.map(dlqEntry)) {
      if (!seen.has(entry.messageId)) somethingNew = true;
      seen.add(entry.messageId);
      const earlier = movedByIdentity.get(entry.identity);
      if (earlier) {
        // Moved already in this redrive: it failed again (or is a duplicate); never move twice.
        if (isReturn(entry, earlier) && !returned.some((r) => r.messageId === entry.messageId)) {
          returned.push(entry);
        }
        others.push(entry);
      } else if (
        options.matches(entry) &&
        moved.length + wanted.length < options.limit &&
        wanted.length < batchSize &&
        !wanted.some((w) => w.identity === entry.identity)
      ) {
        wanted.push(entry);
      } else {
        others.push(entry);
      }
    }
    // Other groups go back at once, before anything else can fail.
    if (others.length > 0)
      await releaseMessages(
        sqs,
        options.sourceUrl,
        others.map((e) => e.message),
      );
    idleRounds = somethingNew || wanted.length > 0 ? 0 : idleRounds + 1;
    if (wanted.length === 0) continue;

    // Pace: the n-th message may leave no earlier than n / perSecond after the start.
    await sleep(
      started + ((moved.length + wanted.length) * 1000) / options.perSecond - Date.now(),
      options.signal,
    );
    if (options.signal?.aborted) {
      await releaseMessages(
        sqs,
        options.sourceUrl,
        wanted.map((e) => e.message),
      );
      return { moved, returned, sendFailures, stoppedBy: 'aborted' };
    }
    const { sent, failed } = await resendMessages(
      sqs,
      options.destinationUrl,
      wanted.map((e) => e.message),
    );
    // Only what the destination accepted is deleted; refused copies stay in the DLQ.
    const deleted = await deleteMessages(
      sqs,
      options.sourceUrl,
      sent.map((s) => s.original),
    );
    if (failed.length > 0) {
      await releaseMessages(
        sqs,
        options.sourceUrl,
        failed.map((f) => f.original),
      );
      for (const f of failed)
        sendFailures.push({ messageId: f.original.MessageId ?? '', reason: f.reason });
    }
    for (const s of sent) {
      const entry = wanted.find((e) => e.messageId === s.original.MessageId) as DlqEntry;
      const record: MovedMessage = {
        identity: entry.identity,
        subject: subjectOf(entry),
        fingerprint: entry.fingerprint,
        ...(entry.jobId ? { jobId: entry.jobId } : {}),
        ...(entry.packedJobIds ? { packedJobIds: entry.packedJobIds } : {}),
        ...(entry.letter?.lastFailedAt ? { lastFailedAt: entry.letter.lastFailedAt } : {}),
        originalMessageId: entry.messageId,
        newMessageId: s.newMessageId,
      };
      // A copy sent but not deleted (receipt expired) is a duplicate, not a loss: still moved.
      if (!deleted.has(entry.messageId)) seen.delete(entry.messageId);
      moved.push(record);
      for (const identity of identitiesOf(record)) movedByIdentity.set(identity, record);
    }
    options.onProgress?.(progress());
  }
}

/** True when `entry` is a later failure of a message this redrive moved. */
export function isReturn(entry: DlqEntry, moved: MovedMessage): boolean {
  if (entry.messageId === moved.originalMessageId) return false;
  const failedAt = entry.letter?.lastFailedAt;
  if (failedAt === undefined || moved.lastFailedAt === undefined) return true;
  return failedAt > moved.lastFailedAt;
}
