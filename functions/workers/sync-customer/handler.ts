/**
 * Lambda entry point of sync-customer (SQS event source mapping with
 * ReportBatchItemFailures). Configuration is read and clients are built once per container.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { defineJob } from '../../jobs';
import { createDynamoDBClient } from '../../shared/dynamo-client';
import { syncCustomerJob } from './job';
import { customersTable, syncCustomerCode } from './sync-customer';

export const handler = defineJob(
  syncCustomerJob,
  syncCustomerCode({
    dynamodb: createDynamoDBClient(),
    table: customersTable(process.env),
    now: () => new Date(),
    pause: async (ms) => {
      await sleep(ms);
    },
    random: Math.random,
  }),
);
