/**
 * Lambda entry point for the MSK event source mapping. Thin: the work is in msk-batch.ts.
 */

import type { MSKEvent } from 'aws-lambda';
import { ROUTER_FUNCTION } from '../topology/functions';
import { createMskRouterDeps } from './deps';
import { handleMskEvent, type KafkaBatchResponse } from './msk-batch';

const { deps } = createMskRouterDeps(process.env, ROUTER_FUNCTION.service);

export const handler = (event: MSKEvent): Promise<KafkaBatchResponse | undefined> =>
  handleMskEvent(event, deps);
