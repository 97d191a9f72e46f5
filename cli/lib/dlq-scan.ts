/**
 * Reads every message of a DLQ without consuming it: each is received and held invisible
 * while the scan runs, then made visible again. If the scan is killed, SQS makes them
 * visible by itself after the visibility timeout — a scan never loses a message.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type DlqEntry, dlqEntry } from './dlq-entry';
import { receiveMessages, releaseMessages } from './sqs-ops';

export interface ScanOptions {
  /** Stop after this many messages. */
  readonly max: number;
  /** How long scanned messages stay hidden if the scan dies before releasing them. */
  readonly visibilityTimeoutSeconds: number;
  readonly signal?: AbortSignal;
}

export interface Scan {
  readonly entries: DlqEntry[];
  /** False when the scan stopped at `max` (or was aborted) before the queue ran dry. */
  readonly complete: boolean;
  /** Makes every scanned message visible again. */
  release(): Promise<void>;
}

/**
 * @example
 * ```ts
 * const scan = await scanQueue(sqs, dlqUrl, { max: 1000, visibilityTimeoutSeconds: 60 });
 * try { summarize(scan.entries); } finally { await scan.release(); }
 * ```
 */
export async function scanQueue(
  sqs: SQSClient,
  queueUrl: string,
  options: ScanOptions,
): Promise<Scan> {
  const entries: DlqEntry[] = [];
  const seen = new Set<string>();
  let complete = false;
  try {
    while (entries.length < options.max && !options.signal?.aborted) {
      const messages = await receiveMessages(
        sqs,
        queueUrl,
        options.max - entries.length,
        options.visibilityTimeoutSeconds,
      );
      if (messages.length === 0) {
        complete = true;
        break;
      }
      for (const message of messages) {
        const entry = dlqEntry(message);
        if (seen.has(entry.messageId)) continue;
        seen.add(entry.messageId);
        entries.push(entry);
      }
    }
  } catch (error) {
    await releaseMessages(
      sqs,
      queueUrl,
      entries.map((e) => e.message),
    ).catch(() => undefined);
    throw error;
  }
  return {
    entries,
    complete,
    release: async () => {
      await releaseMessages(
        sqs,
        queueUrl,
        entries.map((e) => e.message),
      );
    },
  };
}
