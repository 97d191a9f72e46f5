/**
 * Sends many SQS messages with SendMessageBatch: packed to at most 10 entries and the
 * configured byte limit per call, several calls in flight, failed entries retried with
 * full-jitter backoff when the fault is the service's, and reported as rejected when
 * SQS says the sender is at fault.
 */
import {
  type MessageAttributeValue,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { classifyAwsError, classifySqsEntryFailure } from '../shared/aws-errors';
import { type BackoffPolicy, fullJitterDelay, sleep } from '../shared/backoff';
import { type Env, integer } from '../shared/env';
import { PermanentError, TransientError } from '../shared/errors';

/** SQS allows at most this many entries per SendMessageBatch call. */
/** 1 MiB: SQS's message and batch size limit since August 2025. */
export const AWS_SQS_MAX_MESSAGE_BYTES = 1_048_576;

/**
 * `SLUICE_MAX_MESSAGE_BYTES`: the SQS size limit to pack and measure against (1 MiB on AWS;
 * lower for a local server that enforces less), between 1 KiB and 1 MiB.
 */
export function maxMessageBytesFrom(env: Env): number {
  return integer(
    env,
    'SLUICE_MAX_MESSAGE_BYTES',
    AWS_SQS_MAX_MESSAGE_BYTES,
    1024,
    AWS_SQS_MAX_MESSAGE_BYTES,
  );
}

export const SQS_MAX_BATCH_ENTRIES = 10;

/** A message to send. `bytes` is its size as SQS counts it (see {@link sqsMessageBytes}). */
export interface OutgoingMessage {
  readonly queueUrl: string;
  readonly body: string;
  readonly attributes?: Readonly<Record<string, string>>;
  readonly bytes: number;
}

export interface SendOptions {
  /** Largest message and largest batch, in bytes (1 MiB on AWS; some local servers allow less). */
  readonly maxBytes: number;
  /** Calls per batch before a transiently failing entry is given up as unsent. */
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
  /** SendMessageBatch calls in flight at once. */
  readonly concurrency: number;
  /** Called once per entry that is retried, e.g. to count retries in a metric. */
  readonly onRetry?: (count: number) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface SendOutcome<T extends OutgoingMessage> {
  /** Accepted by SQS. */
  sent: T[];
  /** SQS blamed the sender (or the message cannot fit): retrying the same message cannot help. */
  rejected: Array<{ message: T; error: PermanentError }>;
  /** Still failing for a transient reason after every attempt. */
  unsent: Array<{ message: T; error: TransientError }>;
}

/**
 * JSON text SQS accepts: JSON.stringify escapes control characters and lone surrogates but
 * leaves U+FFFE and U+FFFF raw, which SQS rejects (InvalidMessageContents). Inside JSON they
 * can only be in strings, so escaping them keeps the same value.
 */
export function sqsSafeJson(json: string): string {
  // Scanning is cheap; replacing allocates, so only replace when there is something to escape.
  return NONCHARACTERS.test(json)
    ? json.replace(NONCHARACTERS_ALL, (c) => `\\u${c.charCodeAt(0).toString(16)}`)
    : json;
}

const NONCHARACTERS = /[\ufffe\uffff]/;
const NONCHARACTERS_ALL = /[\ufffe\uffff]/g;

/**
 * The size SQS counts for a message: body plus, per attribute, its name, data type
 * ("String") and value, all in UTF-8 bytes.
 */
export function sqsMessageBytes(
  body: string,
  attributes?: Readonly<Record<string, string>>,
): number {
  let bytes = Buffer.byteLength(body, 'utf8');
  if (attributes) {
    for (const name in attributes) {
      bytes += Buffer.byteLength(name) + 6 + Buffer.byteLength(attributes[name] ?? '');
    }
  }
  return bytes;
}

/**
 * Packs messages of one queue, in order, into batches of at most 10 entries and at most
 * `maxBytes` in total. Every message must itself fit in `maxBytes`.
 *
 * @example
 * ```ts
 * packBatches(messages, 1_048_576).map((batch) => batch.length); // e.g. [10, 10, 3]
 * ```
 */
export function packBatches<T extends { bytes: number }>(
  messages: readonly T[],
  maxBytes: number,
): T[][] {
  const batches: T[][] = [];
  const packer = new BatchPacker<T>(maxBytes, (batch) => batches.push(batch));
  for (const message of messages) packer.add(message);
  packer.flush();
  return batches;
}

/**
 * The packing rule of {@link packBatches}, applied as messages come: a batch is handed to
 * `onBatch` as soon as it is full (10 entries), or when the next message would take it
 * over `maxBytes`; {@link flush} hands over the last, partial one.
 */
class BatchPacker<T extends { bytes: number }> {
  private messages: T[] = [];
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly onBatch: (batch: T[]) => void,
  ) {}

  add(message: T): void {
    if (this.messages.length > 0 && this.bytes + message.bytes > this.maxBytes) this.flush();
    this.messages.push(message);
    this.bytes += message.bytes;
    if (this.messages.length === SQS_MAX_BATCH_ENTRIES) this.flush();
  }

  flush(): void {
    if (this.messages.length === 0) return;
    const batch = this.messages;
    this.messages = [];
    this.bytes = 0;
    this.onBatch(batch);
  }
}

/**
 * Sends all messages, grouped by queue, through a {@link BatchSender} that keeps the sent
 * ones. Throws only when a call fails for a reason that no message can fix (access denied,
 * queue missing): that is a configuration fault.
 */
export async function sendMessages<T extends OutgoingMessage>(
  sqs: SQSClient,
  messages: readonly T[],
  options: SendOptions,
): Promise<SendOutcome<T>> {
  const sent: T[] = [];
  const sender = new BatchSender<T>(sqs, options, (message) => sent.push(message));
  for (const message of messages) {
    sender.add(message);
    if (sender.backlogged) await sender.drained();
  }
  return { sent, ...(await sender.finish()) };
}

/**
 * Sends messages while they are still being produced: each queue's messages are packed in
 * order by the same rule as {@link packBatches}, and a batch goes out as soon as it is full,
 * with at most `concurrency` calls in flight and the other full batches waiting their turn.
 * The producer awaits {@link drained} whenever {@link backlogged} is set, then calls
 * {@link finish} for the partial batches and the outcome.
 *
 * Compared with collecting everything first and calling {@link sendMessages}, the calls
 * overlap with the producer's work, and a message is garbage as soon as its call is
 * answered instead of living until the last one is: messages sent are counted, not kept.
 *
 * @example
 * ```ts
 * const sender = new BatchSender<OutgoingMessage>(sqs, options);
 * for (const message of produce()) {
 *   sender.add(message);
 *   if (sender.backlogged) await sender.drained();
 * }
 * const { rejected, unsent } = await sender.finish();
 * ```
 */
export class BatchSender<T extends OutgoingMessage> {
  /** Messages accepted by SQS so far. */
  sentCount = 0;
  private readonly outcome: Omit<SendOutcome<T>, 'sent'> = { rejected: [], unsent: [] };
  private readonly sink: BatchSink<T> = {
    rejected: this.outcome.rejected,
    unsent: this.outcome.unsent,
    sent: (message) => {
      this.sentCount++;
      this.onSent?.(message);
    },
  };
  /** Per queue, the batch being filled, in the order queues first appeared. */
  private readonly open = new Map<string, BatchPacker<T>>();
  /** Full batches waiting for a free call slot, oldest first from `waitingFrom`. */
  private waiting: T[][] = [];
  private waitingFrom = 0;
  private inFlight = 0;
  private failure: { error: unknown } | undefined;
  private wakers: Array<() => void> = [];

  /** @param onSent called with each message SQS accepted, for callers that keep them */
  constructor(
    private readonly sqs: SQSClient,
    private readonly options: SendOptions,
    private readonly onSent?: (message: T) => void,
  ) {}

  /** Queues a message; a message larger than the limit is rejected without a call. */
  add(message: T): void {
    if (message.bytes > this.options.maxBytes) {
      const error = messageTooLarge(message.bytes, this.options.maxBytes);
      this.outcome.rejected.push({ message, error });
      return;
    }
    let packer = this.open.get(message.queueUrl);
    if (packer === undefined) {
      packer = new BatchPacker<T>(this.options.maxBytes, (batch) => this.dispatch(batch));
      this.open.set(message.queueUrl, packer);
    }
    packer.add(message);
  }

  /** Whether as many full batches wait as calls may be in flight: time to await {@link drained}. */
  get backlogged(): boolean {
    return this.waiting.length - this.waitingFrom >= this.options.concurrency;
  }

  /** Resolves once no full batch waits for a call slot (or a call failed for good). */
  async drained(): Promise<void> {
    while (this.waiting.length > this.waitingFrom && this.failure === undefined) {
      await new Promise<void>((wake) => this.wakers.push(wake));
    }
  }

  /**
   * Sends the partial batches and waits for every call.
   *
   * @throws PermanentError when a call failed for a reason no message can fix; the batches
   * still waiting then are not sent.
   */
  async finish(): Promise<Omit<SendOutcome<T>, 'sent'>> {
    for (const packer of this.open.values()) packer.flush();
    this.open.clear();
    while (this.inFlight > 0) await new Promise<void>((wake) => this.wakers.push(wake));
    if (this.failure) throw this.failure.error;
    return this.outcome;
  }

  private dispatch(batch: T[]): void {
    if (this.failure) return;
    if (this.inFlight < this.options.concurrency) this.start(batch);
    else this.waiting.push(batch);
  }

  private start(batch: T[]): void {
    this.inFlight++;
    sendBatch(this.sqs, batch, this.options, this.sink).then(
      () => this.settle(),
      (error: unknown) => {
        this.failure ??= { error };
        this.settle();
      },
    );
  }

  private settle(): void {
    this.inFlight--;
    if (this.failure) {
      this.waiting = [];
      this.waitingFrom = 0;
    } else if (this.waitingFrom < this.waiting.length) {
      const next = this.waiting[this.waitingFrom] as T[];
      this.waiting[this.waitingFrom++] = [];
      if (this.waitingFrom === this.waiting.length) {
        this.waiting = [];
        this.waitingFrom = 0;
      }
      this.start(next);
    }
    const wakers = this.wakers;
    this.wakers = [];
    for (const wake of wakers) wake();
  }
}

/** Why a message of `bytes` is never sent when SQS takes at most `maxBytes`. */
export function messageTooLarge(bytes: number, maxBytes: number): PermanentError {
  return new PermanentError(`Message of ${bytes} bytes exceeds the SQS limit of ${maxBytes} bytes`);
}

/** Where a batch's results go. */
interface BatchSink<T> {
  readonly rejected: SendOutcome<T & OutgoingMessage>['rejected'];
  readonly unsent: SendOutcome<T & OutgoingMessage>['unsent'];
  sent(message: T): void;
}

async function sendBatch<T extends OutgoingMessage>(
  sqs: SQSClient,
  batch: T[],
  options: SendOptions,
  outcome: BatchSink<T>,
): Promise<void> {
  const wait = options.sleep ?? sleep;
  let pending = batch;
  let lastErrors = new Map<T, TransientError>();
  for (let attempt = 1; attempt <= options.maxAttempts && pending.length > 0; attempt++) {
    if (attempt > 1) {
      options.onRetry?.(pending.length);
      await wait(fullJitterDelay(options.backoff, attempt - 1));
    }
    const retry: T[] = [];
    lastErrors = new Map();
    try {
      const response = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: pending[0]?.queueUrl,
          Entries: pending.map(toEntry),
        }),
      );
      const failures = response.Failed ?? [];
      const failedIds = new Set<string>();
      for (const failure of failures) {
        const index = Number(failure.Id);
        const message = pending[index];
        if (message === undefined || failedIds.has(String(index))) continue;
        failedIds.add(String(index));
        const detail = `SQS rejected the message: ${failure.Code}: ${failure.Message ?? ''}`;
        const kind = classifySqsEntryFailure(failure.Code, failure.SenderFault === true);
        if (kind === 'configuration') throw new PermanentError(detail);
        if (kind === 'message') {
          outcome.rejected.push({ message, error: new PermanentError(detail) });
        } else {
          retry.push(message);
          lastErrors.set(message, new TransientError(detail));
        }
      }
      // Only an entry SQS lists as successful was sent: one it lists as neither is retried.
      const successful = new Set<string>();
      for (const entry of response.Successful ?? []) {
        if (entry.Id !== undefined) successful.add(entry.Id);
      }
      for (let index = 0; index < pending.length; index++) {
        const message = pending[index] as T;
        const id = String(index);
        if (failedIds.has(id)) continue;
        if (successful.has(id)) {
          outcome.sent(message);
        } else {
          retry.push(message);
          lastErrors.set(message, UNANSWERED);
        }
      }
    } catch (error) {
      if (error instanceof PermanentError) throw error; // an entry's configuration fault
      const classified = classifyAwsError(error, 'SendMessageBatch failed');
      if (classified instanceof PermanentError) throw classified;
      for (const message of pending) {
        retry.push(message);
        lastErrors.set(message, classified);
      }
    }
    pending = retry;
  }
  for (const message of pending) {
    const error =
      lastErrors.get(message) ?? new TransientError('SendMessageBatch did not complete');
    outcome.unsent.push({ message, error });
  }
}

const UNANSWERED = new TransientError('SQS listed the entry as neither successful nor failed');

function toEntry(message: OutgoingMessage, index: number): SendMessageBatchRequestEntry {
  const entry: SendMessageBatchRequestEntry = { Id: String(index), MessageBody: message.body };
  if (message.attributes) entry.MessageAttributes = messageAttributes(message.attributes);
  return entry;
}

// Senders often reuse one attributes object for many messages (the router: one per job and
// event type); its SQS form is built once. The SDK only reads it.
const sqsAttributes = new WeakMap<
  Readonly<Record<string, string>>,
  Record<string, MessageAttributeValue>
>();

function messageAttributes(
  attributes: Readonly<Record<string, string>>,
): Record<string, MessageAttributeValue> {
  let converted = sqsAttributes.get(attributes);
  if (converted === undefined) {
    converted = {};
    for (const name in attributes) {
      converted[name] = { DataType: 'String', StringValue: attributes[name] };
    }
    // Only frozen objects can be trusted to say the same thing next time.
    if (Object.isFrozen(attributes)) sqsAttributes.set(attributes, converted);
  }
  return converted;
}
