/**
 * Lambda entry point of sync-customer (SQS event source mapping with
 * ReportBatchItemFailures). Configuration is read and clients are built once per container.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { defineJob } from '../../jobs';
import { createDynamoDBClient } from '../../shared/dynamo-client';
import { readSyncCustomerConfig } from './config';
import { syncCustomerJob } from './job';
import { syncCustomerCode } from './sync-customer';

const config = readSyncCustomerConfig(process.env);

export const handler = defineJob(
  syncCustomerJob,
  syncCustomerCode({
    dynamodb: createDynamoDBClient(),
    table: config.customersTable,
    now: () => new Date(),
    pause: async (ms) => {
      await sleep(ms);
    },
    random: Math.random,
  }),
);
