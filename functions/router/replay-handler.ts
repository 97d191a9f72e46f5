/**
 * Lambda entry point for the replay queue (the source queue whose DLQ is the ingest DLQ).
 */

import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { REPLAY_FUNCTION } from '../topology/functions';
import { createRouterDeps } from './deps';
import { handleReplayEvent } from './replay';

const { deps } = createRouterDeps(process.env, REPLAY_FUNCTION.service);

export const handler = (event: SQSEvent): Promise<SQSBatchResponse> =>
  handleReplayEvent(event, deps);
