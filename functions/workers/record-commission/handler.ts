/**
 * Lambda entry point of record-commission (SQS event source mapping with
 * ReportBatchItemFailures). Configuration is read and clients are built once per container.
 */

import { defineJob } from '../../jobs';
import { createDynamoDBClient } from '../../shared/dynamo-client';
import { readRecordCommissionConfig } from './config';
import { recordCommissionJob } from './job';
import { recordCommissionCode } from './record-commissions';

const config = readRecordCommissionConfig(process.env);

export const handler = defineJob(
  recordCommissionJob,
  recordCommissionCode({ ...config, dynamodb: createDynamoDBClient(), now: () => new Date() }),
);
