/**
 * audit's configuration, read once at cold start.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | SLUICE_STAGE | stage: names the audit alias `sluice-<stage>-audit` | required |
 * | SLUICE_BULK_MAX_BYTES | largest bulk request body | 5 MiB |
 * | SLUICE_OPENSEARCH_URL, SLUICE_OPENSEARCH_MODE | the OpenSearch endpoint (see client.ts) | required |
 */
import { type Env, integer, requiredString } from '../../shared/env';
import { DEFAULT_BULK_MAX_BYTES } from '../../targets/opensearch/bulk';
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
    bulkMaxBytes: integer(
      env,
      'SLUICE_BULK_MAX_BYTES',
      DEFAULT_BULK_MAX_BYTES,
      64 * 1024,
      100 * 1024 * 1024,
    ),
    openSearch: readOpenSearchConfig(env),
  };
}
