/**
 * Lambda entry point of audit (SQS event source mapping with ReportBatchItemFailures).
 * Configuration is read and the client built once per container.
 */
import { defineBatchJob } from '../../jobs';
import { createOpenSearchClient } from '../../targets/opensearch/client';
import { readAuditConfig } from './config';
import { auditJob } from './job';
import { auditCode } from './record-audit';

const config = readAuditConfig(process.env);

export const handler = defineBatchJob(
  auditJob,
  auditCode({
    search: createOpenSearchClient(config.openSearch),
    settings: config,
    now: () => new Date(),
  }),
);
