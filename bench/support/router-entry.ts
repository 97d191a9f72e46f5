/**
 * Bench-only entry: the production router — the same deps factory and handleMskEvent as
 * functions/router/handler.ts — with SQS and S3 clients whose send() captures commands
 * instead of calling the network. Bundled with the same esbuild options as the handler.
 */
import type { SendMessageBatchCommand, SendMessageBatchResult } from '@aws-sdk/client-sqs';
import type { MSKEvent } from 'aws-lambda';
import { MemoryDeadLetterLedger } from '../../functions/router/dead-letter-ledger';
import { createRouterDeps } from '../../functions/router/deps';
import { handleMskEvent } from '../../functions/router/msk-batch';

/** One captured SendMessageBatch entry (kept only while `detail` is on). */
export interface CapturedEntry {
  queueUrl: string;
  job: string | undefined;
  body: string;
}

/** What the fake clients saw. Timed rounds only count; checks turn `detail` on. */
export const captured = {
  calls: 0,
  entries: 0,
  s3Calls: 0,
  detail: false,
  details: [] as CapturedEntry[],
};

// The ledger in memory: the bench measures the router, not DynamoDB (2 % are dead letters).
const deps = {
  ...createRouterDeps(process.env, 'sluice-router').deps,
  ledger: new MemoryDeadLetterLedger(),
};

// Every entry of every SendMessageBatch succeeds.
const sendBatch = async (command: SendMessageBatchCommand): Promise<SendMessageBatchResult> => {
  const entries = command.input.Entries ?? [];
  captured.calls++;
  captured.entries += entries.length;
  if (captured.detail) {
    for (const entry of entries) {
      captured.details.push({
        queueUrl: command.input.QueueUrl ?? '',
        job: entry.MessageAttributes?.job?.StringValue,
        body: entry.MessageBody ?? '',
      });
    }
  }
  return {
    Successful: entries.map((e) => ({ Id: e.Id, MessageId: e.Id, MD5OfMessageBody: '' })),
    Failed: [],
  };
};
Object.assign(deps.sqs, { send: sendBatch });
// Claim checks (dead letters over 1 MiB) would call S3; none are expected, so count them.
Object.assign(deps.s3, {
  send: async () => {
    captured.s3Calls++;
    return {};
  },
});

export const handler = (event: MSKEvent) => handleMskEvent(event, deps);
