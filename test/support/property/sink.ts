/**
 * An in-memory SQS and S3 for property tests, with faults injected by a plan: it stores
 * what SQS would accept, answers like SQS (per-entry failures, throttling), and records
 * every SendMessageBatch call so the tests can check what was asked of SQS. It mocks the
 * clients once; `reset` starts a new run with a new fault plan.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  type BatchResultErrorEntry,
  SendMessageBatchCommand,
  type SendMessageBatchCommandInput,
  type SendMessageBatchCommandOutput,
  type SendMessageBatchRequestEntry,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import type {
  DeadLetterLedger,
  LedgerEntry,
  LedgerLookup,
} from '../../../functions/router/dead-letter-ledger';

/** What one SendMessageBatch call does. */
export type CallFault = 'ok' | 'throttle' | 'all-failed' | 'some-failed';

export interface FaultPlan {
  /** Fault of the n-th SendMessageBatch call; calls past the end of the list succeed. */
  calls: CallFault[];
  /** Queue URLs whose every call is throttled: a fault that outlasts any retry. */
  downQueues: readonly string[];
  /** Entries whose body hashes to 0 modulo this fail in every call (0: none). */
  flakyModulo: number;
  /** Whether the n-th PutObject call fails; calls past the end succeed. */
  puts: boolean[];
  /** Every PutObject fails. */
  s3Down: boolean;
  /** Queue URLs that refuse every entry as the sender's fault (e.g. a smaller size limit). */
  rejectQueues: readonly string[];
  /** Whether the n-th ledger lookup (or record) call fails; calls past the end succeed. */
  ledgerLookups: boolean[];
  ledgerRecords: boolean[];
}

export const NO_FAULTS: FaultPlan = {
  calls: [],
  downQueues: [],
  flakyModulo: 0,
  puts: [],
  s3Down: false,
  rejectQueues: [],
  ledgerLookups: [],
  ledgerRecords: [],
};

/**
 * Faults that end: failing calls, puts and ledger calls at random positions, so that Lambda
 * delivering a batch again and again gets it through at last; sometimes a job queue that
 * refuses everything as the sender's fault.
 */
export function endingFaults(jobQueueUrls: readonly string[]): fc.Arbitrary<FaultPlan> {
  return fc.record({
    calls: fc.array(fc.constantFrom<CallFault>('ok', 'throttle', 'all-failed', 'some-failed'), {
      maxLength: 30,
    }),
    downQueues: fc.constant([]),
    flakyModulo: fc.constant(0),
    puts: fc.array(fc.boolean(), { maxLength: 6 }),
    s3Down: fc.constant(false),
    rejectQueues: fc.oneof(
      { weight: 4, arbitrary: fc.constant<string[]>([]) },
      { weight: 1, arbitrary: fc.subarray([...jobQueueUrls], { maxLength: 1 }) },
    ),
    ledgerLookups: fc.array(fc.boolean(), { maxLength: 4 }),
    ledgerRecords: fc.array(fc.boolean(), { maxLength: 4 }),
  });
}

/**
 * A dead-letter ledger in memory whose calls fail by the plan: a failed lookup knows no id,
 * a failed record records none. It remembers which ids it failed to record.
 */
export class FaultyLedger implements DeadLetterLedger {
  readonly ids = new Set<string>();
  /** Per id, how often SQS took its dead letter while the ledger failed to record it. */
  readonly lost = new Map<string, number>();
  private lookups = 0;
  private records = 0;

  constructor(private readonly plan: FaultPlan) {}

  async lookup(entries: readonly LedgerEntry[]): Promise<LedgerLookup> {
    const ids = entries.map((e) => e.id);
    if (this.plan.ledgerLookups[this.lookups++] === true) {
      return { sent: new Set(), unknown: new Set(ids) };
    }
    return { sent: new Set(ids.filter((id) => this.ids.has(id))), unknown: new Set() };
  }

  async record(entries: readonly LedgerEntry[]): Promise<string[]> {
    const ids = entries.map((e) => e.id);
    if (this.plan.ledgerRecords[this.records++] === true) {
      for (const id of ids) this.lost.set(id, (this.lost.get(id) ?? 0) + 1);
      return [...ids];
    }
    for (const id of ids) this.ids.add(id);
    return [];
  }
}

/** Fault plans from mild to a dead service, over the given queue URLs. */
export function faultPlan(queueUrls: readonly string[]): fc.Arbitrary<FaultPlan> {
  return fc.record({
    calls: fc.array(fc.constantFrom<CallFault>('ok', 'throttle', 'all-failed', 'some-failed'), {
      maxLength: 24,
    }),
    downQueues: fc.oneof(
      { weight: 3, arbitrary: fc.constant<string[]>([]) },
      { weight: 1, arbitrary: fc.subarray([...queueUrls], { maxLength: 2 }) },
      { weight: 1, arbitrary: fc.constant([...queueUrls]) },
    ),
    flakyModulo: fc.constantFrom(0, 0, 2, 3, 7),
    puts: fc.array(fc.boolean(), { maxLength: 4 }),
    s3Down: fc.oneof(
      { weight: 7, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: fc.constant(true) },
    ),
    rejectQueues: fc.constant([]),
    ledgerLookups: fc.constant([]),
    ledgerRecords: fc.constant([]),
  });
}

export interface SqsEntry {
  body: string;
  attributes: Record<string, string>;
}

export interface SqsCall {
  queueUrl: string;
  entries: SqsEntry[];
}

export interface StoredMessage extends SqsEntry {
  queueUrl: string;
}

/**
 * Whether SQS accepts the text in a message body or attribute value: it rejects a message
 * holding any character outside #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD |
 * #x10000-#x10FFFF with InvalidMessageContents.
 */
export function sqsAcceptsText(text: string): boolean {
  return !SQS_INVALID_CHARACTER.test(text);
}

const SQS_INVALID_CHARACTER = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

const throttled = (): Error =>
  Object.assign(new Error('Rate exceeded'), {
    name: 'ThrottlingException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });

const s3Unavailable = (): Error =>
  Object.assign(new Error('Service Unavailable'), {
    name: 'ServiceUnavailable',
    $fault: 'server',
    $metadata: { httpStatusCode: 503 },
  });

function hash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h >>> 0;
}

function entryOf(entry: SendMessageBatchRequestEntry): SqsEntry {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.MessageAttributes ?? {})) {
    attributes[name] = value.StringValue ?? '';
  }
  return { body: entry.MessageBody ?? '', attributes };
}

export class PropertySink {
  /** Every SendMessageBatch call, failed or not, in call order. */
  readonly calls: SqsCall[] = [];
  /** Every message SQS accepted. */
  readonly stored: StoredMessage[] = [];
  /** Failed calls and failed entries so far, however they failed. */
  faults = 0;
  /** S3 objects by "bucket/key". */
  readonly objects = new Map<string, string>();
  private plan: FaultPlan = NO_FAULTS;
  private puts = 0;
  private readonly sqsMock;
  private readonly s3Mock;

  constructor(sqs: SQSClient, s3: S3Client) {
    this.sqsMock = mockClient(sqs);
    this.s3Mock = mockClient(s3);
    this.sqsMock
      .on(SendMessageBatchCommand)
      .callsFake(async (input: SendMessageBatchCommandInput) => this.sendBatch(input));
    this.s3Mock
      .on(PutObjectCommand)
      .callsFake(async (input: { Bucket?: string; Key?: string; Body?: unknown }) => {
        const fails = this.plan.s3Down || this.plan.puts[this.puts] === true;
        this.puts++;
        if (fails) {
          this.faults++;
          throw s3Unavailable();
        }
        const body = Buffer.from(input.Body as Uint8Array).toString('utf8');
        this.objects.set(`${input.Bucket}/${input.Key}`, body);
        return {};
      });
  }

  /** Forgets everything and applies a new fault plan. */
  reset(plan: FaultPlan = NO_FAULTS): void {
    this.plan = plan;
    this.puts = 0;
    this.faults = 0;
    this.calls.length = 0;
    this.stored.length = 0;
    this.objects.clear();
    // The mocks' own call history would otherwise grow over thousands of runs.
    this.sqsMock.resetHistory();
    this.s3Mock.resetHistory();
  }

  messagesOn(queueUrl: string): StoredMessage[] {
    return this.stored.filter((m) => m.queueUrl === queueUrl);
  }

  private sendBatch(input: SendMessageBatchCommandInput): SendMessageBatchCommandOutput {
    const queueUrl = input.QueueUrl ?? '';
    const requested = input.Entries ?? [];
    this.calls.push({ queueUrl, entries: requested.map(entryOf) });
    const fault = this.plan.calls[this.calls.length - 1] ?? 'ok';
    if (fault === 'throttle' || this.plan.downQueues.includes(queueUrl)) {
      this.faults++;
      throw throttled();
    }

    const failed: BatchResultErrorEntry[] = [];
    const successful: Array<{ Id: string; MessageId: string; MD5OfMessageBody: string }> = [];
    requested.forEach((entry, index) => {
      const id = entry.Id ?? String(index);
      const { body, attributes } = entryOf(entry);
      if (![body, ...Object.values(attributes)].every(sqsAcceptsText)) {
        failed.push({ Id: id, Code: 'InvalidMessageContents', SenderFault: true });
        return;
      }
      if (this.plan.rejectQueues.includes(queueUrl)) {
        failed.push({ Id: id, Code: 'InvalidParameterValue', SenderFault: true });
        return;
      }
      const flaky = this.plan.flakyModulo > 0 && hash(body) % this.plan.flakyModulo === 0;
      if (fault === 'all-failed' || flaky || (fault === 'some-failed' && index % 2 === 0)) {
        failed.push({ Id: id, Code: 'InternalError', SenderFault: false });
        this.faults++;
        return;
      }
      this.stored.push({ queueUrl, body, attributes });
      successful.push({ Id: id, MessageId: `m-${this.stored.length}`, MD5OfMessageBody: '' });
    });
    return { Successful: successful, Failed: failed, $metadata: {} };
  }
}
