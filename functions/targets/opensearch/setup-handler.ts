/**
 * Lambda entry point of the index setup custom resource (CDK Provider `onEvent`). The
 * client is built once per container from SLUICE_OPENSEARCH_URL / SLUICE_OPENSEARCH_MODE,
 * with a request timeout long enough for a reindex inside Lambda's 15 minutes.
 */
import { createOpenSearchClient, readOpenSearchConfig } from './client';
import { indexSetupResource } from './index-setup-resource';

const client = createOpenSearchClient({
  ...readOpenSearchConfig(process.env),
  requestTimeoutMs: 14 * 60_000,
});

export const handler = indexSetupResource(client, process.env);
