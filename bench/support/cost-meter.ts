/**
 * Counts AWS requests as they would be billed: an SDK middleware on each client — the ones the
 * functions build (through functions/shared/client-hooks.ts) and the one the emulated event
 * source mappings poll with — tallies every request by service, operation, origin and owner
 * (the function whose invocation made it, or the job whose queue an emulated poller serves),
 * with its SDK attempts, SQS's 64 KB payload chunks and DynamoDB's request units.
 */
import type { AsyncLocalStorage } from 'node:async_hooks';
import { type AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import type {
  Message,
  MessageAttributeValue,
  ReceiveMessageCommandOutput,
  SendMessageBatchCommandInput,
  SendMessageCommandInput,
} from '@aws-sdk/client-sqs';
import type { InitializeMiddleware, MetadataBearer } from '@smithy/types';
import type { FunctionAwsClient } from '../../functions/shared/client-hooks';
import { dynamoUnits } from './cost-dynamo-units';

export type Service = 'sqs' | 'dynamodb' | 's3';
/** `function`: made by a handler; `emulated`: Lambda's pollers, made on the account's behalf. */
export type Origin = 'function' | 'emulated';

export interface RequestRow {
  readonly service: Service;
  readonly operation: string;
  readonly origin: Origin;
  readonly owner: string;
  /** HTTP requests, retries included. */
  requests: number;
  /** What the bill counts: SQS 64 KB chunks; otherwise the requests. */
  billedRequests: number;
  readUnits: number;
  writeUnits: number;
}

const SQS_CHUNK = 64 * 1024;
const NAME = 'sluiceCostMeter';

function attributesSize(attributes: Record<string, MessageAttributeValue> | undefined): number {
  let size = 0;
  for (const [name, value] of Object.entries(attributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    size += Buffer.byteLength(value.StringValue ?? '') + (value.BinaryValue?.byteLength ?? 0);
  }
  return size;
}

function messageSize(m: Message): number {
  return Buffer.byteLength(m.Body ?? '') + attributesSize(m.MessageAttributes);
}

/** The payload SQS bills in 64 KB chunks: message bodies and attributes sent or received. */
function sqsPayload(operation: string, input: object, output: object | undefined): number {
  if (operation === 'SendMessage') {
    const i = input as SendMessageCommandInput;
    return Buffer.byteLength(i.MessageBody ?? '') + attributesSize(i.MessageAttributes);
  }
  if (operation === 'SendMessageBatch') {
    return ((input as SendMessageBatchCommandInput).Entries ?? []).reduce(
      (sum, e) =>
        sum + Buffer.byteLength(e.MessageBody ?? '') + attributesSize(e.MessageAttributes),
      0,
    );
  }
  if (operation === 'ReceiveMessage') {
    const messages = (output as ReceiveMessageCommandOutput | undefined)?.Messages ?? [];
    return messages.reduce((sum, m) => sum + messageSize(m), 0);
  }
  return 0;
}

function attemptsOf(value: unknown): number {
  const metadata = (value as Partial<MetadataBearer> | null)?.$metadata;
  return Math.max(1, metadata?.attempts ?? 1);
}

export class RequestMeter {
  private readonly table = new Map<string, RequestRow>();

  /**
   * @param scope the owner of the invocation under way (set by the Lambda meter)
   * @param ownerOfQueue the job whose queue a URL is, for the emulated pollers' requests
   */
  constructor(
    private readonly scope: AsyncLocalStorage<string>,
    private readonly ownerOfQueue: (queueUrl: string) => string | undefined,
  ) {}

  /**
   * @example
   * ```ts
   * onFunctionClient((client) => meter.attach(client, 'function'));
   * ```
   */
  attach(client: FunctionAwsClient, origin: Origin): void {
    const options = { step: 'initialize', name: NAME, override: true } as const;
    if (client instanceof DynamoDBClient) {
      client.middlewareStack.add(this.middleware('dynamodb', origin), options);
    } else if (client instanceof S3Client) {
      client.middlewareStack.add(this.middleware('s3', origin), options);
    } else {
      client.middlewareStack.add(this.middleware('sqs', origin), options);
    }
  }

  rows(): RequestRow[] {
    return [...this.table.values()];
  }

  private middleware<I extends object, O extends MetadataBearer>(
    service: Service,
    origin: Origin,
  ): InitializeMiddleware<I, O> {
    return (next, context) => async (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      try {
        const result = await next(args);
        this.record(
          service,
          origin,
          operation,
          args.input,
          result.output,
          attemptsOf(result.output),
        );
        return result;
      } catch (error) {
        // A failed condition may hand the stored item back: the write was billed by its size.
        const before = (error as { Item?: Record<string, AttributeValue> } | null)?.Item;
        this.record(service, origin, operation, args.input, undefined, attemptsOf(error), before);
        throw error;
      }
    };
  }

  private record(
    service: Service,
    origin: Origin,
    operation: string,
    input: object,
    output: object | undefined,
    attempts: number,
    before?: Record<string, AttributeValue>,
  ): void {
    const queueUrl = (input as { QueueUrl?: string }).QueueUrl;
    const owner =
      this.scope.getStore() ?? (queueUrl ? this.ownerOfQueue(queueUrl) : undefined) ?? 'other';
    let label = operation;
    let billed = attempts;
    let units = { read: 0, write: 0 };
    if (service === 'sqs') {
      const received = (output as ReceiveMessageCommandOutput | undefined)?.Messages?.length;
      // Empty long polls are what an idle queue costs (fixed), not what events cost.
      if (operation === 'ReceiveMessage' && !received) label = 'ReceiveMessage (empty)';
      billed = attempts * Math.max(1, Math.ceil(sqsPayload(operation, input, output) / SQS_CHUNK));
    } else if (service === 'dynamodb') {
      units = dynamoUnits(operation, input, output, before);
    }
    const key = `${service}|${label}|${origin}|${owner}`;
    let row = this.table.get(key);
    if (!row) {
      row = {
        service,
        operation: label,
        origin,
        owner,
        requests: 0,
        billedRequests: 0,
        readUnits: 0,
        writeUnits: 0,
      };
      this.table.set(key, row);
    }
    row.requests += attempts;
    row.billedRequests += billed;
    row.readUnits += units.read * attempts;
    row.writeUnits += units.write * attempts;
  }
}
