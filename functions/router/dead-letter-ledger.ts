/**
 * The dead-letter ledger: which ingest dead letters SQS has already accepted, so a batch
 * Lambda delivers again (on-demand mode: the whole batch; provisioned mode: from the first
 * reported offset) does not send them twice. SQS standard queues have no deduplication and
 * batch entry ids are only unique within one call, so the router keeps this record itself.
 *
 * Each dead letter has a deterministic id ({@link ingestDeadLetterId}); the router looks a
 * batch's dead letters up before sending and records the ones SQS accepted right after. Only
 * dead-lettered records pay for it. The production ledger is an empty S3 object per dead
 * letter in the claim-check bucket (`ingest-ledger/…`, expiring with the bucket's lifecycle
 * rule): one PutObject per dead letter, and one ListObjectsV2 per partition and 1,000 dead
 * letters to look them up. (A DynamoDB ledger would batch its writes, but its client alone
 * takes the router's bundle over its size budget; S3's is there for the claim checks.)
 *
 * Residual windows: an invocation that ends (timeout, crash) after SQS accepted a dead
 * letter but before it was recorded, or a record write that keeps failing, sends that dead
 * letter once more if Lambda delivers the batch again.
 */
import { createHash } from 'node:crypto';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { classifyAwsError } from '../shared/aws-errors';
import { type BackoffPolicy, fullJitterDelay, sleep } from '../shared/backoff';
import { PermanentError } from '../shared/errors';

/** What the ledger knows of a list of ids. */
export interface LedgerLookup {
  /** Dead letters SQS accepted before: not to be sent again. */
  readonly sent: ReadonlySet<string>;
  /** Ids the ledger could not be asked about in time: not to be sent now either. */
  readonly unknown: ReadonlySet<string>;
}

/** One dead letter as the ledger knows it: its id and its record's coordinates. */
export interface LedgerEntry {
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

export interface DeadLetterLedger {
  /**
   * Looks dead letters up by id.
   *
   * @throws PermanentError when the ledger cannot be read for a reason no retry fixes
   * (access denied, bucket missing): a configuration fault.
   */
  lookup(entries: readonly LedgerEntry[]): Promise<LedgerLookup>;
  /** Records dead letters as sent; returns the ids it could not record. Never throws. */
  record(entries: readonly LedgerEntry[]): Promise<string[]>;
}

/**
 * The id of the dead letter of a Kafka record under one version of the code: its
 * coordinates and the code version. Lambda's retries of a batch give the same id, so the
 * ledger suppresses the second send; the same record failing under other code (a deployment
 * between retries, a replay from Kafka after a fix) gets a dead letter of its own.
 *
 * @example
 * ```ts
 * ingestDeadLetterId({ topic: 'orders.events', partition: 3, offset: 42 }, 'abc123');
 * // 32 hex characters
 * ```
 */
export function ingestDeadLetterId(
  record: { topic: string; partition: number; offset: number },
  codeVersion: string,
): string {
  const text = JSON.stringify([record.topic, record.partition, record.offset, codeVersion]);
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/**
 * A ledger in memory: for a run that must not resend its own dead letters but keeps no
 * state beyond itself (`sluice replay` from Kafka, tests).
 *
 * @example
 * ```ts
 * const ledger = new MemoryDeadLetterLedger();
 * const entry = { id: '0f3a…', topic: 'orders.events', partition: 0, offset: 42 };
 * await ledger.record([entry]);
 * (await ledger.lookup([entry])).sent.has('0f3a…'); // true
 * ```
 */
export class MemoryDeadLetterLedger implements DeadLetterLedger {
  readonly ids = new Set<string>();

  async lookup(entries: readonly LedgerEntry[]): Promise<LedgerLookup> {
    const sent = entries.filter((e) => this.ids.has(e.id)).map((e) => e.id);
    return { sent: new Set(sent), unknown: new Set() };
  }

  async record(entries: readonly LedgerEntry[]): Promise<string[]> {
    for (const { id } of entries) this.ids.add(id);
    return [];
  }
}

export interface S3LedgerOptions {
  readonly bucket: string;
  /** The code version: a dead letter of other code is another dead letter. */
  readonly codeVersion: string;
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  /** Calls in flight at once. */
  readonly concurrency: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Ledger calls in flight per SendMessageBatch call in flight: its writes are one per letter. */
export const LEDGER_CONCURRENCY_FACTOR = 4;

/** Key prefix of the ledger's objects in the claim-check bucket. */
export const LEDGER_PREFIX = 'ingest-ledger/';

/**
 * The ledger in S3: an empty object per dead letter SQS accepted, at
 * `ingest-ledger/<code version hash>/<topic>/<partition>/<offset, 20 digits>`, so one
 * ListObjectsV2 from a batch's first dead-lettered offset of a partition finds every one of
 * them there (S3 lists are strongly consistent, in key order).
 *
 * @example
 * ```ts
 * const ledger = new S3DeadLetterLedger(s3, { bucket: 'sluice-prod-claim-check', codeVersion: 'abc123',
 *   maxAttempts: 6, backoff: { baseMs: 100, capMs: 3_000 }, concurrency: 16 });
 * const { sent } = await ledger.lookup(entries);
 * ```
 */
export class S3DeadLetterLedger implements DeadLetterLedger {
  private readonly version: string;

  constructor(
    private readonly s3: S3Client,
    private readonly options: S3LedgerOptions,
  ) {
    this.version = createHash('sha256').update(options.codeVersion).digest('hex').slice(0, 16);
  }

  async lookup(entries: readonly LedgerEntry[]): Promise<LedgerLookup> {
    const sent = new Set<string>();
    const unknown = new Set<string>();
    const byPartition = new Map<string, LedgerEntry[]>();
    for (const entry of entries) {
      const prefix = this.partitionPrefix(entry);
      const list = byPartition.get(prefix);
      if (list) list.push(entry);
      else byPartition.set(prefix, [entry]);
    }
    await inParallel([...byPartition], this.options.concurrency, async ([prefix, list]) => {
      const wanted = new Map(list.map((entry) => [offsetKey(entry.offset), entry.id]));
      const first = list.reduce((min, e) => Math.min(min, e.offset), Number.MAX_SAFE_INTEGER);
      const last = offsetKey(list.reduce((max, e) => Math.max(max, e.offset), 0));
      // Listing starts just before the first offset wanted and stops past the last.
      let startAfter = first > 0 ? offsetKey(first - 1) : undefined;
      let done = false;
      for (let attempt = 1; attempt <= this.options.maxAttempts && !done; attempt++) {
        if (attempt > 1) await this.pause(attempt);
        try {
          for (;;) {
            const page = await this.s3.send(
              new ListObjectsV2Command({
                Bucket: this.options.bucket,
                Prefix: prefix,
                ...(startAfter !== undefined ? { StartAfter: prefix + startAfter } : {}),
              }),
            );
            let beyond = false;
            for (const { Key } of page.Contents ?? []) {
              const offset = (Key ?? '').slice(prefix.length);
              if (offset > last) beyond = true;
              const id = wanted.get(offset);
              if (id !== undefined) sent.add(id);
              startAfter = offset;
            }
            if (beyond || !page.IsTruncated) break;
          }
          done = true;
        } catch (error) {
          const classified = classifyAwsError(error, 'Reading the dead-letter ledger failed');
          if (classified instanceof PermanentError) throw classified;
        }
      }
      if (!done) for (const entry of list) if (!sent.has(entry.id)) unknown.add(entry.id);
    });
    return { sent, unknown };
  }

  async record(entries: readonly LedgerEntry[]): Promise<string[]> {
    const unrecorded: string[] = [];
    await inParallel(entries, this.options.concurrency, async (entry) => {
      const key = this.partitionPrefix(entry) + offsetKey(entry.offset);
      for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
        if (attempt > 1) await this.pause(attempt);
        try {
          await this.s3.send(
            new PutObjectCommand({ Bucket: this.options.bucket, Key: key, Body: '' }),
          );
          return;
        } catch (error) {
          const classified = classifyAwsError(error, 'Writing the dead-letter ledger failed');
          if (classified instanceof PermanentError) break;
        }
      }
      unrecorded.push(entry.id);
    });
    return unrecorded;
  }

  private partitionPrefix(entry: LedgerEntry): string {
    return `${LEDGER_PREFIX}${this.version}/${encodeURIComponent(entry.topic)}/${entry.partition}/`;
  }

  private pause(attempt: number): Promise<void> {
    return (this.options.sleep ?? sleep)(fullJitterDelay(this.options.backoff, attempt - 1));
  }
}

/** An offset as a key part that sorts as the number does. */
function offsetKey(offset: number): string {
  return String(offset).padStart(20, '0');
}

/**
 * Runs `work` on every item with at most `limit` in flight; rejects with the first error
 * once every started item has settled.
 *
 * @example
 * ```ts
 * await inParallel(chunks, 16, (chunk) => send(chunk));
 * ```
 */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}
