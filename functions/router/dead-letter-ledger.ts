/**
 * The dead-letter ledger: which ingest dead letters SQS has already accepted, so a batch
 * Lambda delivers again (on-demand mode: the whole batch; provisioned mode: from the first
 * reported offset) does not send them twice. SQS standard queues have no deduplication and
 * batch entry ids are only unique within one call, so the router keeps this record itself.
 *
 * Each dead letter has a deterministic id ({@link ingestDeadLetterId}); the router looks a
 * batch's dead letters up before sending and records the ones SQS accepted right after. Only
 * dead-lettered records pay for it. The production ledger is a DynamoDB table
 * (`sluice-<stage>-ingest-ledger`, items expiring by TTL): per partition and window of
 * offsets, one item (a page) holding the offsets dead-lettered in it. Recording a batch costs
 * an UpdateItem per page with dead letters; looking it up, a consistent BatchGetItem of its
 * pages (up to 100 a call). Until December 2026 the pages were S3 objects in the claim-check
 * bucket, listed and written per batch and partition: $0.07 per million events of the
 * shop's mix against less than a cent now (`npm run bench:cost`); a new code version makes
 * new dead-letter ids, so the old objects are never read again and expire with the bucket's
 * lifecycle rule.
 *
 * Residual windows: an invocation that ends (timeout, crash) after SQS accepted a dead
 * letter but before it was recorded, or a page write that keeps failing, sends those dead
 * letters once more if Lambda delivers the batch again.
 */
import { createHash } from 'node:crypto';
import {
  BatchGetItemCommand,
  type DynamoDBClient,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { classifyAwsError } from '../shared/aws-errors';
import { type BackoffPolicy, fullJitterDelay, sleep } from '../shared/backoff';
import { PermanentError } from '../shared/errors';
import { TABLES } from '../topology/topology';

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

export interface DynamoLedgerOptions {
  /** The ledger table's physical name. */
  readonly table: string;
  /** The code version: a dead letter of other code is another dead letter. */
  readonly codeVersion: string;
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  /** Calls in flight at once. */
  readonly concurrency: number;
  /** The time pages' TTLs are set from; the clock by default. */
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Ledger calls in flight per SendMessageBatch call in flight. A batch's ledger calls are one
 * per page it touches (a read of up to 100 pages, a write per page), so this bound is rarely met.
 */
export const LEDGER_CONCURRENCY_FACTOR = 4;

/**
 * Offsets per ledger page: a page holds the dead-lettered offsets of one partition between
 * two multiples of this, as offsets from the first. Each is stored in at most 3 bytes
 * (DynamoDB: a byte per two digits, plus one), so a page is at most about 3 KB — 3 write
 * units — even if every record of its range was dead-lettered, and usually one.
 */
export const LEDGER_WINDOW = 1_000;

/**
 * How long a page is kept after its last write: as long as the claim-check bucket kept the S3
 * pages by default, beyond MSK's default retention (7 days). A batch Lambda delivers again
 * later than this (a topic kept longer, a mapping failing for a month) has its dead letters
 * sent once more: doubled, never lost.
 */
export const LEDGER_RETENTION_SECONDS = 30 * 86_400;

/** Keys per BatchGetItem: DynamoDB's limit. */
const KEYS_PER_READ = 100;

const PAGE_KEY = TABLES.ingestLedger.partitionKey;
const OFFSETS = 'offsets';

/**
 * The ledger in DynamoDB: per partition and window of {@link LEDGER_WINDOW} offsets, one item
 * (a page) whose number set holds the offsets whose dead letters SQS accepted, keyed
 * `<code version hash>#<topic>#<partition>#<window>`. Recording adds a batch's offsets to
 * their pages (an UpdateItem `ADD` per page: idempotent, so a redelivery writes nothing new);
 * looking up reads the pages a batch's dead letters fall in (one consistent BatchGetItem for
 * up to 100 pages). A batch costs one read unit and one to three write units (a write is
 * billed by the larger of the page before and after) per page it touches,
 * against a PutObject and a ListObjectsV2 per partition when the ledger lived in S3 (13 ×
 * the price), and a read comes back in milliseconds.
 *
 * @example
 * ```ts
 * const ledger = new DynamoDeadLetterLedger(dynamodb, { table: 'sluice-prod-ingest-ledger',
 *   codeVersion: 'abc123', maxAttempts: 6, backoff: { baseMs: 100, capMs: 3_000 }, concurrency: 16 });
 * const { sent } = await ledger.lookup(entries);
 * ```
 */
export class DynamoDeadLetterLedger implements DeadLetterLedger {
  private readonly version: string;

  constructor(
    private readonly dynamodb: DynamoDBClient,
    private readonly options: DynamoLedgerOptions,
  ) {
    this.version = createHash('sha256').update(options.codeVersion).digest('hex').slice(0, 16);
  }

  async lookup(entries: readonly LedgerEntry[]): Promise<LedgerLookup> {
    const pages = groupBy(entries, (entry) => this.pageIdOf(entry));
    const ids = [...pages.keys()];
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += KEYS_PER_READ)
      chunks.push(ids.slice(i, i + KEYS_PER_READ));
    const held = new Map<string, ReadonlySet<number>>();
    const unread = new Set<string>();
    await inParallel(chunks, this.options.concurrency, async (chunk) => {
      const { read, pending } = await this.readPages(chunk);
      for (const [id, offsets] of read) held.set(id, offsets);
      for (const id of pending) unread.add(id);
    });
    const sent = new Set<string>();
    const unknown = new Set<string>();
    for (const [pageId, list] of pages) {
      const offsets = held.get(pageId);
      for (const entry of list) {
        if (unread.has(pageId)) unknown.add(entry.id);
        else if (offsets?.has(entry.offset % LEDGER_WINDOW)) sent.add(entry.id);
      }
    }
    return { sent, unknown };
  }

  async record(entries: readonly LedgerEntry[]): Promise<string[]> {
    const unrecorded: string[] = [];
    const now = Math.floor((this.options.now?.() ?? new Date()).getTime() / 1000);
    const pages = [...groupBy(entries, (entry) => this.pageIdOf(entry))];
    await inParallel(pages, this.options.concurrency, async ([pageId, list]) => {
      const offsets = [...new Set(list.map((entry) => String(entry.offset % LEDGER_WINDOW)))];
      const update = new UpdateItemCommand({
        TableName: this.options.table,
        Key: { [PAGE_KEY]: { S: pageId } },
        UpdateExpression: 'ADD #offsets :offsets SET #ttl = :ttl',
        ExpressionAttributeNames: { '#offsets': OFFSETS, '#ttl': TABLES.ingestLedger.ttl },
        ExpressionAttributeValues: {
          ':offsets': { NS: offsets },
          ':ttl': { N: String(now + LEDGER_RETENTION_SECONDS) },
        },
      });
      for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
        if (attempt > 1) await this.pause(attempt);
        try {
          await this.dynamodb.send(update);
          return;
        } catch (error) {
          const classified = classifyAwsError(error, 'Writing the dead-letter ledger failed');
          if (classified instanceof PermanentError) break;
        }
      }
      for (const entry of list) unrecorded.push(entry.id);
    });
    return unrecorded;
  }

  /**
   * Reads pages (consistently: a page written by the delivery before must be seen), again
   * for those DynamoDB leaves unprocessed; `pending` are the ones not read in time.
   *
   * @throws PermanentError when reading is refused for good (access denied, table missing)
   */
  private async readPages(
    pageIds: readonly string[],
  ): Promise<{ read: Map<string, ReadonlySet<number>>; pending: string[] }> {
    const read = new Map<string, ReadonlySet<number>>();
    let pending = [...pageIds];
    for (let attempt = 1; attempt <= this.options.maxAttempts && pending.length > 0; attempt++) {
      if (attempt > 1) await this.pause(attempt);
      try {
        const response = await this.dynamodb.send(
          new BatchGetItemCommand({
            RequestItems: {
              [this.options.table]: {
                Keys: pending.map((id) => ({ [PAGE_KEY]: { S: id } })),
                ConsistentRead: true,
                ProjectionExpression: '#key, #offsets',
                ExpressionAttributeNames: { '#key': PAGE_KEY, '#offsets': OFFSETS },
              },
            },
          }),
        );
        for (const item of response.Responses?.[this.options.table] ?? []) {
          const id = item[PAGE_KEY]?.S;
          if (id !== undefined) read.set(id, new Set((item[OFFSETS]?.NS ?? []).map(Number)));
        }
        // Keys DynamoDB did not get to (throughput, size) come back to be asked again.
        const left = new Set(
          (response.UnprocessedKeys?.[this.options.table]?.Keys ?? []).flatMap((key) =>
            key[PAGE_KEY]?.S === undefined ? [] : [key[PAGE_KEY].S],
          ),
        );
        pending = pending.filter((id) => left.has(id));
      } catch (error) {
        const classified = classifyAwsError(error, 'Reading the dead-letter ledger failed');
        if (classified instanceof PermanentError) throw classified;
      }
    }
    return { read, pending };
  }

  private pageIdOf(entry: LedgerEntry): string {
    const window = Math.floor(entry.offset / LEDGER_WINDOW);
    return `${this.version}#${encodeURIComponent(entry.topic)}#${entry.partition}#${window}`;
  }

  private pause(attempt: number): Promise<void> {
    return (this.options.sleep ?? sleep)(fullJitterDelay(this.options.backoff, attempt - 1));
  }
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
