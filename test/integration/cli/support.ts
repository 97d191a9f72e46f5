/**
 * Test kit for the ops CLI against the local stack: run `sluice` in-process and collect what
 * it prints, provision a stage's queues, bucket and tables, seed dead letters through the
 * real router and job runtime, and consume a queue in the background as Lambda would.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { MSKRecord } from 'aws-lambda';
import { run } from '../../../cli/program';
import { EventParser } from '../../../functions/events/parse-event';
import { defineJob } from '../../../functions/jobs/define-job';
import { DEFAULT_JOB_SETTINGS, jobDefinition } from '../../../functions/jobs/job-definition';
import type { JobContext } from '../../../functions/jobs/runtime/run-types';
import { handleMskEvent } from '../../../functions/router/msk-batch';
import type { RouterDeps } from '../../../functions/router/route-batch';
import type { JobName } from '../../../functions/topology/topology';
import { localS3Options, provisionBucket, provisionQueues } from '../../../local/provision/queues';
import { provisionTables } from '../../../local/provision/tables';
import { applyLocalServiceEnv } from '../../../local/services/endpoints';
import { jobContainerDeps } from '../../support/job-container';
import { mskEvent } from '../../support/msk';
import { localRouterDeps } from '../../support/router';
import { deliver, type Handler, queueArn, receive } from '../jobs/esm';

applyLocalServiceEnv();
export const sqs = new SQSClient({});
export const dynamodb = new DynamoDBClient({});
export const s3 = new S3Client(localS3Options);

export { uniqueStage } from '../../support/stage';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `sluice --local --stage <stage> …args` in-process. */
export async function sluice(
  stage: string,
  args: readonly string[],
  signal?: AbortSignal,
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['--local', '--stage', stage, ...args], {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: process.env,
    ...(signal ? { signal } : {}),
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

export interface Stage {
  readonly stage: string;
  readonly urls: Map<string, string>;
  readonly queueUrlBase: string;
  readonly bucket: string;
  readonly url: (logical: string) => string;
}

/** Queues, claim-check bucket and tables of a stage, from the topology module. */
export async function provision(stage: string): Promise<Stage> {
  const [queues, bucket] = await Promise.all([
    provisionQueues(sqs, stage),
    provisionBucket(s3, stage),
    provisionTables(dynamodb, stage),
  ]);
  return {
    stage,
    urls: queues.urls,
    queueUrlBase: queues.queueUrlBase,
    bucket,
    url: (logical) => queues.urls.get(logical) as string,
  };
}

/** Router deps against the stage's real queues; `parser` lets a test deploy a "fix". */
export function routerDeps(s: Stage, parser = new EventParser()): RouterDeps {
  return localRouterDeps(
    { stage: s.stage, queueUrlBase: s.queueUrlBase, claimCheckBucket: s.bucket, sqs, s3 },
    parser,
  );
}

/** Routes MSK records through the real router: invalid ones land in the ingest DLQ. */
export async function routeRecords(s: Stage, records: readonly MSKRecord[]): Promise<void> {
  await handleMskEvent(mskEvent(records), routerDeps(s));
}

/**
 * A job handler built by the real job runtime, with fast retries, whose `perform` the test
 * controls (flip it to "deploy a fix").
 */
export function jobHandler(
  s: Stage,
  name: JobName,
  perform: (context: JobContext) => Promise<void>,
): Handler {
  const definition = jobDefinition({
    name,
    description: 'cli integration',
    eventTypes: ['*'],
    batch: false,
    access: {},
    settings: {
      ...DEFAULT_JOB_SETTINGS,
      maxAttempts: 2,
      backoff: { baseSeconds: 1, capSeconds: 1 },
      idempotency: 'natural',
    },
  });
  const deps = jobContainerDeps(
    definition,
    {
      stage: s.stage,
      sqs,
      dynamodb,
      provisioned: { queueUrlBase: s.queueUrlBase, claimCheckBucket: s.bucket },
    },
    { claimChecks: s3 },
  );
  return defineJob(definition, { perform }, deps);
}

/**
 * Consumes `queueUrl` in the background, as an event source mapping would, until stopped.
 *
 * @returns stop(): resolves when the loop has finished its current batch
 */
export function consumeInBackground(queueUrl: string, handler: Handler): () => Promise<void> {
  let stopped = false;
  const loop = (async () => {
    const arn = await queueArn(sqs, queueUrl);
    while (!stopped) {
      const messages = await receive(sqs, queueUrl);
      if (messages.length > 0) await deliver(sqs, queueUrl, arn, handler, messages);
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

/** Receives and deletes everything in a queue until it has been empty twice in a row. */
export async function drain(queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) {
      empty++;
      continue;
    }
    empty = 0;
    all.push(...Messages);
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
      }),
    );
  }
  return all;
}

/** Polls until `check` holds or `timeoutMs` passes; returns whether it held. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs = 15_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return check();
}
