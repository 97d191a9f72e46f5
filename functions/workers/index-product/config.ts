/**
 * index-product's configuration, read once at cold start.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | SLUICE_STAGE | stage: names the products alias `sluice-<stage>-products` | required |
 * | SLUICE_CATALOG_TABLE | the catalog service's table | `sluice-<stage>-catalog` |
 * | SLUICE_CATALOG_READ_ATTEMPTS | BatchGetItem rounds for UnprocessedKeys before those jobs retry later | 5 |
 * | SLUICE_BULK_MAX_BYTES | largest bulk request body | 5 MiB |
 * | SLUICE_OPENSEARCH_URL, SLUICE_OPENSEARCH_MODE | the OpenSearch endpoint (see client.ts) | required |
 */

import type { BackoffPolicy } from '../../shared/backoff';
import { type Env, integer, optionalString, requiredString } from '../../shared/env';
import { bulkMaxBytesFrom } from '../../targets/opensearch/bulk';
import { type OpenSearchConfig, readOpenSearchConfig } from '../../targets/opensearch/client';
import { aliasName } from '../../targets/opensearch/indexes/spec';
import { resourceName } from '../../topology/naming';
import { TABLES } from '../../topology/topology';

/** What the job's code needs besides its clients. */
export interface IndexProductSettings {
  /** The alias documents are written to. */
  readonly productsAlias: string;
  readonly catalogTable: string;
  /** BatchGetItem rounds per key chunk (the first call plus retries of UnprocessedKeys). */
  readonly catalogReadAttempts: number;
  /** Full-jitter backoff between those rounds. */
  readonly catalogReadBackoff: BackoffPolicy;
  readonly bulkMaxBytes: number;
}

export interface IndexProductConfig extends IndexProductSettings {
  readonly openSearch: OpenSearchConfig;
}

/**
 * @example
 * ```ts
 * const config = readIndexProductConfig(process.env);
 * config.productsAlias; // 'sluice-prod-products'
 * ```
 */
export function readIndexProductConfig(env: Env): IndexProductConfig {
  const stage = requiredString(env, 'SLUICE_STAGE');
  return {
    productsAlias: aliasName(stage, 'products'),
    catalogTable: optionalString(
      env,
      'SLUICE_CATALOG_TABLE',
      resourceName(stage, TABLES.catalog.name),
    ),
    catalogReadAttempts: integer(env, 'SLUICE_CATALOG_READ_ATTEMPTS', 5, 1, 20),
    catalogReadBackoff: { baseMs: 50, capMs: 1_000 },
    bulkMaxBytes: bulkMaxBytesFrom(env),
    openSearch: readOpenSearchConfig(env),
  };
}
