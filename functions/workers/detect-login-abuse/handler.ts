/**
 * Lambda entry point of detect-login-abuse (SQS event source mapping with
 * ReportBatchItemFailures). Configuration is read and clients are built once per container.
 */

import { defineJob } from '../../jobs';
import { createDynamoDBClient } from '../../shared/dynamo-client';
import { openSearchClientFromEnv } from '../../targets/opensearch/client';
import { readAbuseConfig } from './abuse-config';
import { detectLoginAbuseCode } from './detect-login-abuse';
import { detectLoginAbuseJob } from './job';

export const handler = defineJob(
  detectLoginAbuseJob,
  detectLoginAbuseCode({
    dynamodb: createDynamoDBClient(),
    search: openSearchClientFromEnv(process.env),
    config: readAbuseConfig(process.env),
    now: () => new Date(),
  }),
);
