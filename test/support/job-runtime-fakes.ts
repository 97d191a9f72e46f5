/**
 * Job runtime test kit: deps over mocked SQS and DynamoDB clients (aws-sdk-client-mock),
 * with a small in-memory emulation of exactly the DynamoDB calls the runtime makes.
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DEFAULT_JOB_SETTINGS,
  type JobDefinition,
  type JobSettings,
  jobDefinition,
} from '../../functions/jobs/job-definition';
import { readJobRuntimeConfig } from '../../functions/jobs/runtime/job-config';
import { type JobDeps, jobDepsFrom } from '../../functions/jobs/runtime/job-deps';
import type { JobMessage } from '../../functions/queues/job-message';
import { ATTEMPTS_ATTRIBUTE } from '../../functions/queues/job-message';
import { routedJobMessage } from './job-message';
import { memorySqs } from './memory-sqs';
import { captureLog, captureMetrics } from './router';

type Item = Record<string, AttributeValue>;
const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };

function conditionFailed(item?: Item): Error {
  return Object.assign(new Error('The conditional request failed'), {
    name: 'ConditionalCheckFailedException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    Item: item,
  });
}

/** In-memory tables keyed by their partition key (`key` or `jobId`). */
export function memoryDynamo(client: DynamoDBClient) {
  const tables = new Map<string, Map<string, Item>>();
  const table = (name: string) => {
    const t = tables.get(name) ?? new Map<string, Item>();
    tables.set(name, t);
    return t;
  };
  const keyOf = (item: Item) => (item.key?.S ?? item.jobId?.S) as string;
  const mock = mockClient(client);
  mock.on(GetItemCommand).callsFake((input) => {
    const item = table(input.TableName).get(keyOf(input.Key));
    return { Item: item && structuredClone(item) };
  });
  mock.on(PutItemCommand).callsFake((input) => {
    const t = table(input.TableName);
    const key = keyOf(input.Item);
    const existing = t.get(key);
    if (input.ConditionExpression === 'attribute_not_exists(#k) OR #e < :now' && existing) {
      const now = Number(input.ExpressionAttributeValues[':now'].N);
      if (!(Number(existing.expiresAt?.N) < now)) throw conditionFailed(structuredClone(existing));
    }
    t.set(key, structuredClone(input.Item));
    return {};
  });
  mock.on(DeleteItemCommand).callsFake((input) => {
    const t = table(input.TableName);
    const key = keyOf(input.Key);
    const existing = t.get(key);
    if (input.ConditionExpression === '#t = :token') {
      if (existing?.token?.S !== input.ExpressionAttributeValues[':token'].S) {
        throw conditionFailed();
      }
    }
    t.delete(key);
    return {};
  });
  mock.on(QueryCommand).callsFake((input) => {
    const wanted = input.ExpressionAttributeValues[':p'].S;
    const items = [...table(input.TableName).values()].filter((i) => i.jobTypeState?.S === wanted);
    return { Items: items };
  });
  return { mock, tables, table };
}

export const QUEUE_BASE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/';

/** Deps for `definition` over fresh mocked clients; `random` defaults to 0.5. */
export function testJobDeps(definition: JobDefinition, overrides: Partial<JobDeps> = {}) {
  const sqsClient = new SQSClient({ region: 'eu-west-1', credentials });
  const dynamoClient = new DynamoDBClient({ region: 'eu-west-1', credentials });
  const sqs = memorySqs(sqsClient);
  const dynamo = memoryDynamo(dynamoClient);
  const log = captureLog();
  const metricSink = captureMetrics({ Job: definition.name });
  const config = readJobRuntimeConfig(
    { SLUICE_STAGE: 'test', SLUICE_QUEUE_URL_BASE: QUEUE_BASE },
    definition,
  );
  let clock = Date.parse('2026-11-28T10:00:00.000Z');
  const deps: JobDeps = {
    ...jobDepsFrom(definition, config, {
      sqs: sqsClient,
      dynamodb: dynamoClient,
      log,
      metricSink,
      codeVersion: 'test-sha',
      now: () => new Date(clock),
      random: () => 0.5,
    }),
    ...overrides,
  };
  /** A published metric summed over one dimension set (by default the job's total). */
  const metric = (name: string, dimensions: Record<string, string> = { Job: definition.name }) =>
    metricSink.published
      .filter((m) => m.name === name && JSON.stringify(m.dimensions) === JSON.stringify(dimensions))
      .reduce((sum, m) => sum + m.value, 0);
  const advance = (ms: number) => {
    clock += ms;
  };
  return { deps, sqs, dynamo, log, metricSink, metric, config, advance };
}

/** A job named `audit` for every event type, with these settings: single unless `batch`. */
export function auditJob(settings: Partial<JobSettings> = {}, batch = false): JobDefinition {
  return jobDefinition({
    name: 'audit',
    description: 'test',
    eventTypes: ['*'],
    batch,
    access: {},
    settings: { ...DEFAULT_JOB_SETTINGS, ...settings },
  });
}

/** A job message for `job` about sample event number `n`. */
export function jobMessage(job: string, n = 1): JobMessage {
  const event = {
    specversion: '1.0',
    id: `evt-${n}`,
    source: 'urn:shop:test',
    type: 'PRODUCT_PUBLISHED',
    time: '2026-11-28T09:30:00Z',
    dataversion: 1,
    data: { productId: `prod-${n}`, catalogVersion: 1 },
  };
  return jobMessageFor(job, event, n);
}

/** A job message for `job` about `event`, as the router enqueues it (from offset `offset`). */
export function jobMessageFor(
  job: string,
  event: { readonly id: string; readonly source: string },
  offset = 1,
): JobMessage {
  return routedJobMessage(job, event, {
    provenance: { topic: 'catalog.events', offset },
    enqueuedAt: '2026-11-28T09:30:01.000Z',
    routerVersion: 'test',
  });
}

/** An SQS record as the event source mapping delivers it. */
export function sqsRecord(
  body: unknown,
  options: { messageId?: string; receiveCount?: number; carriedAttempts?: number } = {},
): SQSRecord {
  const messageId = options.messageId ?? `msg-${Math.random().toString(36).slice(2)}`;
  return {
    messageId,
    receiptHandle: `rh-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
    },
    messageAttributes:
      options.carriedAttempts === undefined
        ? {}
        : {
            [ATTEMPTS_ATTRIBUTE]: {
              dataType: 'Number',
              stringValue: String(options.carriedAttempts),
            },
          },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:sluice-test-job-x',
    awsRegion: 'eu-west-1',
  };
}
