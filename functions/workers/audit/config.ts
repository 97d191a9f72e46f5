/**
 * audit's configuration, read once at cold start.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | SLUICE_STAGE | stage: names the audit alias `sluice-<stage>-audit` | required |
 * | SLUICE_BULK_MAX_BYTES | largest bulk request body | 5 MiB |
 * | SLUICE_OPENSEARCH_URL, SLUICE_OPENSEARCH_MODE | the OpenSearch endpoint (see client.ts) | required |
 */
import { type Env, requiredString } from '../../shared/env';
import { bulkMaxBytesFrom } from '../../targets/opensearch/bulk';
import { type OpenSearchConfig, readOpenSearchConfig } from '../../targets/opensearch/client';
import { aliasName } from '../../targets/opensearch/indexes/spec';

export interface AuditSettings {
  readonly auditAlias: string;
  readonly bulkMaxBytes: number;
}

export interface AuditConfig extends AuditSettings {
  readonly openSearch: OpenSearchConfig;
}

/**
 * @example
 * ```ts
 * readAuditConfig(process.env).auditAlias; // 'sluice-prod-audit'
 * ```
 */
export function readAuditConfig(env: Env): AuditConfig {
  const stage = requiredString(env, 'SLUICE_STAGE');
  return {
    auditAlias: aliasName(stage, 'audit'),
    bulkMaxBytes: bulkMaxBytesFrom(env),
    openSearch: readOpenSearchConfig(env),
  };
}
