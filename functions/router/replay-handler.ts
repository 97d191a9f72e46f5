/**
 * Lambda entry point for the replay queue (the source queue whose DLQ is the ingest DLQ).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createRouterDeps } from './deps';
import { handleReplayEvent } from './replay';

const { deps } = createRouterDeps(process.env, 'sluice-replay');

export const handler = (event: SQSEvent): Promise<SQSBatchResponse> =>
  handleReplayEvent(event, deps);
