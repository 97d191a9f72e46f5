/**
 * Lambda entry point of the fine-grained access custom resource. Runs under the domain's
 * master role; the client is built once per container from SLUICE_OPENSEARCH_URL and
 * SLUICE_OPENSEARCH_MODE.
 */
import { openSearchClientFromEnv } from '../client';
import { accessResource } from './access-resource';

export const handler = accessResource(openSearchClientFromEnv(process.env));
