/**
 * Lambda entry point of index-product (SQS event source mapping with ReportBatchItemFailures,
 * batches of up to 1,000 run in chunks of 100). Configuration is read and clients are built
 * once per container.
 */
import { defineBatchJob } from '../../jobs';
import { createDynamoDBClient } from '../../shared/dynamo-client';
import { createOpenSearchClient } from '../../targets/opensearch/client';
import { readIndexProductConfig } from './config';
import { indexProductCode } from './index-products';
import { indexProductJob } from './job';

const config = readIndexProductConfig(process.env);

export const handler = defineBatchJob(
  indexProductJob,
  indexProductCode({
    dynamodb: createDynamoDBClient(),
    search: createOpenSearchClient(config.openSearch),
    settings: config,
    now: () => new Date(),
  }),
);
