/**
 * Bench-only entry: the production router (same deps factory, same handleMskEvent) with
 * an SQS client whose send() captures commands instead of calling the network. Bundled
 * with the same esbuild options as the deployed handler.
 */
import type { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { MSKEvent } from 'aws-lambda';
import { createRouterDeps } from '../../functions/router/deps';
import { handleMskEvent } from '../../functions/router/msk-batch';

const { deps } = createRouterDeps(process.env, 'sluice-router');
export const captured = { entries: 0, calls: 0 };

// Replace the network call: every entry of every SendMessageBatch succeeds.
(deps.sqs as { send: unknown }).send = async (command: SendMessageBatchCommand) => {
  const entries = command.input.Entries ?? [];
  captured.calls++;
  captured.entries += entries.length;
  return { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] };
};

export const handler = (event: MSKEvent) => handleMskEvent(event, deps);
