/**
 * Lambda entry point of detect-login-abuse (SQS event source mapping with
 * ReportBatchItemFailures). Configuration is read and clients are built once per container.
 */

import { defineJob } from '../../jobs';
import { createDynamoDBClient } from '../../shared/dynamo-client';
import { createOpenSearchClient } from '../../targets/opensearch/client';
import { readDetectLoginAbuseConfig } from './config';
import { detectLoginAbuseCode } from './detect-login-abuse';
import { detectLoginAbuseJob } from './job';

const config = readDetectLoginAbuseConfig(process.env);

export const handler = defineJob(
  detectLoginAbuseJob,
  detectLoginAbuseCode({
    dynamodb: createDynamoDBClient(),
    search: createOpenSearchClient(config.openSearch),
    config,
    now: () => new Date(),
  }),
);
