/**
 * The dead-letter ledger: which ingest dead letters SQS has already accepted, so a batch
 * Lambda delivers again (on-demand mode: the whole batch; provisioned mode: from the first
 * reported offset) does not send them twice. SQS standard queues have no deduplication and
 * batch entry ids are only unique within one call, so the router keeps this record itself.
 *
 * Each dead letter has a deterministic id ({@link ingestDeadLetterId}); the router looks a
 * batch's dead letters up before sending and records the ones SQS accepted right after. Only
 * dead-lettered records pay for it. The production ledger lives in the claim-check bucket
 * (`ingest-ledger/…`, expiring with the bucket's lifecycle rule): per batch and partition
 * with dead letters, one object listing their offsets (a page). Recording a batch costs one
 * PutObject per partition with dead letters (two in the rare batch whose offsets straddle
 * a {@link LEDGER_WINDOW}); looking it up, one ListObjectsV2 per partition (and 1,000
 * pages), and a GetObject per page holding a wanted offset, which only a redelivery finds.
 * (A DynamoDB ledger would pay a write unit per dead letter and bring its client into the
 * router's bundle; a page per batch costs less, and S3's client is there for the claim
 * checks.)
 *
 * Residual windows: an invocation that ends (timeout, crash) after SQS accepted a dead
 * letter but before it was recorded, or a page write that keeps failing, sends those dead
 * letters once more if Lambda delivers the batch again.
 */
import { createHash } from 'node:crypto';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
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

/**
 * Ledger calls in flight per SendMessageBatch call in flight. A batch's ledger calls are one
 * per partition (and, on a redelivery, one per page read back), so this bound is rarely met.
 */
export const LEDGER_CONCURRENCY_FACTOR = 4;

/** Key prefix of the ledger's objects in the claim-check bucket. */
export const LEDGER_PREFIX = 'ingest-ledger/';

/**
 * Offsets per ledger window: a page never holds offsets of two windows (offset ÷ this,
 * rounded down), so a lookup knows where in the key order its pages end. A batch's dead
 * letters of one partition straddle a window boundary rarely (a batch of 10,000 records one
 * time in ten at most, of 300 one in 300): then they make two pages.
 */
export const LEDGER_WINDOW = 100_000;

/** One ledger object of a partition, as its key tells: a page, or an old one-offset key. */
interface PageKey {
  readonly key: string;
  readonly min: number;
  readonly max: number;
  /** The first 8 hex characters of the body's SHA-256; absent for an old one-offset key. */
  readonly hash?: string;
}

/**
 * The ledger in S3: per batch and partition, one object (a page) listing the offsets whose
 * dead letters SQS accepted, at
 * `ingest-ledger/<code version hash>/<topic>/<partition>/<max offset>-<min offset>-<hash>`
 * (offsets 20 digits; hash: 8 hex characters of the SHA-256 of the body). The body is the
 * page's offsets as a sorted JSON array. Keys sort by their page's highest offset, so one
 * ListObjectsV2 from a batch's first dead-lettered offset of a partition finds every page
 * that can hold one of them (S3 lists are strongly consistent, in key order), and the
 * pages that do are read back (GetObject): only on a redelivery, as on a first delivery no
 * page has offsets that high yet. Keys of the previous format, `<offset>` (an empty object
 * per dead letter), are read as one-offset pages, without a GetObject.
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
    const byPartition = groupBy(entries, (entry) => this.partitionPrefix(entry));
    await inParallel([...byPartition], this.options.concurrency, async ([prefix, list]) => {
      const known = await this.lookupPartition(prefix, list);
      for (const id of known.sent) sent.add(id);
      for (const id of known.unknown) unknown.add(id);
    });
    return { sent, unknown };
  }

  async record(entries: readonly LedgerEntry[]): Promise<string[]> {
    const unrecorded: string[] = [];
    const pages = groupBy(
      entries,
      (entry) => `${this.partitionPrefix(entry)}${Math.floor(entry.offset / LEDGER_WINDOW)}`,
    );
    await inParallel([...pages.values()], this.options.concurrency, async (page) => {
      const offsets = [...new Set(page.map((entry) => entry.offset))].sort((a, b) => a - b);
      const body = JSON.stringify(offsets);
      const min = offsets[0] as number;
      const max = offsets[offsets.length - 1] as number;
      const key = `${this.partitionPrefix(page[0] as LedgerEntry)}${offsetKey(max)}-${offsetKey(min)}-${bodyHash(body)}`;
      for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
        if (attempt > 1) await this.pause(attempt);
        try {
          await this.s3.send(
            new PutObjectCommand({
              Bucket: this.options.bucket,
              Key: key,
              Body: body,
              ContentType: 'application/json',
            }),
          );
          return;
        } catch (error) {
          const classified = classifyAwsError(error, 'Writing the dead-letter ledger failed');
          if (classified instanceof PermanentError) break;
        }
      }
      for (const entry of page) unrecorded.push(entry.id);
    });
    return unrecorded;
  }

  /**
   * The dead letters of one partition: its pages listed from the first offset wanted on to
   * the end of the last one's window, and the pages holding a wanted offset read back.
   */
  private async lookupPartition(
    prefix: string,
    list: readonly LedgerEntry[],
  ): Promise<{ sent: string[]; unknown: string[] }> {
    const wanted = new Map(list.map((entry) => [entry.offset, entry.id]));
    const offsets = [...wanted.keys()].sort((a, b) => a - b);
    const first = offsets[0] as number;
    const last = offsets[offsets.length - 1] as number;
    // A page never spans two windows (see record), so one holding an offset up to `last`
    // has its highest offset at most at the end of last's window: listing stops past that.
    // (Pages of one partition can overlap and nest, e.g. a dead letter that failed to send
    // on one delivery and is sent on the next, in a batch that reaches further: stopping
    // at the first page above `last` could miss one.)
    const end = (Math.floor(last / LEDGER_WINDOW) + 1) * LEDGER_WINDOW - 1;
    const found = new Set<number>();
    const unreadable: PageKey[] = [];
    const toRead: PageKey[] = [];
    // Keys from the highest offset `first` on: '.' sorts after '-', so past every key whose
    // page ends at first - 1 (and past an old key `first - 1`).
    let startAfter = first > 0 ? `${prefix}${offsetKey(first - 1)}.` : undefined;
    let listed = false;
    for (let attempt = 1; attempt <= this.options.maxAttempts && !listed; attempt++) {
      if (attempt > 1) await this.pause(attempt);
      try {
        for (;;) {
          const response = await this.s3.send(
            new ListObjectsV2Command({
              Bucket: this.options.bucket,
              Prefix: prefix,
              ...(startAfter !== undefined ? { StartAfter: startAfter } : {}),
            }),
          );
          let beyond = false;
          for (const { Key } of response.Contents ?? []) {
            if (Key === undefined) continue;
            startAfter = Key;
            const page = parsePageKey(Key, prefix);
            if (page === undefined) continue;
            if (page.max > end) {
              beyond = true;
              break;
            }
            if (!holdsAny(offsets, page)) continue;
            if (page.hash === undefined) found.add(page.min);
            else toRead.push(page);
          }
          if (beyond || !response.IsTruncated) break;
        }
        listed = true;
      } catch (error) {
        const classified = classifyAwsError(error, 'Reading the dead-letter ledger failed');
        if (classified instanceof PermanentError) throw classified;
      }
    }
    if (listed) {
      for (const page of toRead) {
        // Read only for wanted offsets in its range that no page read so far holds.
        if (offsets.every((o) => o < page.min || o > page.max || found.has(o))) continue;
        const held = await this.readPage(page);
        if (held === undefined) unreadable.push(page);
        else for (const offset of held) if (wanted.has(offset)) found.add(offset);
      }
    }
    const sent: string[] = [];
    const unknown: string[] = [];
    for (const offset of offsets) {
      const id = wanted.get(offset) as string;
      if (found.has(offset)) sent.push(id);
      // Not listed in time, or in the range of a page that could not be read: perhaps sent.
      else if (!listed || unreadable.some((p) => p.min <= offset && offset <= p.max))
        unknown.push(id);
    }
    return { sent, unknown };
  }

  /**
   * A page's offsets, or undefined when it cannot be read in time, is gone (expired between
   * the listing and now: the next delivery's listing will not show it) or does not match
   * its key: then its offsets are unknown, never taken as not sent.
   *
   * @throws PermanentError when reading is refused for good (access denied, bucket missing)
   */
  private async readPage(page: PageKey): Promise<number[] | undefined> {
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      if (attempt > 1) await this.pause(attempt);
      let text: string;
      try {
        const response = await this.s3.send(
          new GetObjectCommand({ Bucket: this.options.bucket, Key: page.key }),
        );
        text = (await response.Body?.transformToString('utf8')) ?? '';
      } catch (error) {
        if ((error as { name?: string } | undefined)?.name === 'NoSuchKey') return undefined;
        const classified = classifyAwsError(error, 'Reading the dead-letter ledger failed');
        if (classified instanceof PermanentError) throw classified;
        continue;
      }
      return parsePage(text, page);
    }
    return undefined;
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

/** The first 8 hex characters of the SHA-256 of a page's body. */
function bodyHash(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex').slice(0, 8);
}

const PAGE_KEY = /^(\d{20})(?:-(\d{20})-([0-9a-f]{8}))?$/;

/** A ledger key of the partition under `prefix`, or undefined for any other key. */
function parsePageKey(key: string, prefix: string): PageKey | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const match = PAGE_KEY.exec(key.slice(prefix.length));
  if (match === null) return undefined;
  const max = Number(match[1]);
  if (match[2] === undefined) return { key, min: max, max };
  const min = Number(match[2]);
  return min <= max ? { key, min, max, hash: match[3] } : undefined;
}

/** The offsets of a page's body, or undefined when it is not the body its key names. */
function parsePage(text: string, page: PageKey): number[] | undefined {
  if (bodyHash(text) !== page.hash) return undefined;
  let offsets: unknown;
  try {
    offsets = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(offsets) || offsets[0] !== page.min || offsets.at(-1) !== page.max)
    return undefined;
  const ordered = offsets.every(
    (o, i) => Number.isSafeInteger(o) && (i === 0 || (o as number) > (offsets[i - 1] as number)),
  );
  return ordered ? (offsets as number[]) : undefined;
}

/** Whether any of the sorted `offsets` lies in the page's range. */
function holdsAny(offsets: readonly number[], page: PageKey): boolean {
  let low = 0;
  let high = offsets.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((offsets[middle] as number) < page.min) low = middle + 1;
    else high = middle;
  }
  return low < offsets.length && (offsets[low] as number) <= page.max;
}

/** Items grouped by a key, in first-seen order. */
function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
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
