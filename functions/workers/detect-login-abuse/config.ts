/**
 * detect-login-abuse's configuration, read once at cold start: the fixed window and the
 * failure counts that make an account or an IP address suspicious, where counters and
 * suspicions go, and the OpenSearch endpoint.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | SLUICE_STAGE | stage in table and index names | required |
 * | SLUICE_ABUSE_WINDOW_SECONDS | fixed window length, 60–86400 | 300 |
 * | SLUICE_ABUSE_ACCOUNT_THRESHOLD | failures per account and window | 5 |
 * | SLUICE_ABUSE_IP_THRESHOLD | failures per IP and window | 20 |
 * | SLUICE_OPENSEARCH_URL, SLUICE_OPENSEARCH_MODE | the OpenSearch endpoint (see client.ts) | required |
 */
import { type Env, integer, requiredString } from '../../shared/env';
import { type OpenSearchConfig, readOpenSearchConfig } from '../../targets/opensearch/client';
import { resourceName } from '../../topology/naming';
import { INDEXES, TABLES } from '../../topology/topology';

export interface AbuseThresholds {
  /** Window length; windows are aligned to the epoch (00:00, 00:05, … for 300 s). */
  readonly windowSeconds: number;
  /** Failed logins of one account within a window that make it suspicious. */
  readonly accountThreshold: number;
  /** Failed logins from one IP address within a window that make it suspicious. */
  readonly ipThreshold: number;
}

export interface AbuseConfig extends AbuseThresholds {
  /** Physical name of the abuse-counters table (counters and suspicion records). */
  readonly table: string;
  /** The security index alias suspicions are written to. */
  readonly securityIndex: string;
}

export interface DetectLoginAbuseConfig extends AbuseConfig {
  readonly openSearch: OpenSearchConfig;
}

export const DEFAULT_ABUSE_THRESHOLDS: AbuseThresholds = {
  windowSeconds: 300,
  accountThreshold: 5,
  ipThreshold: 20,
};

/**
 * @example
 * ```ts
 * const config = readDetectLoginAbuseConfig(process.env);
 * config.securityIndex; // 'sluice-prod-security'
 * ```
 */
export function readDetectLoginAbuseConfig(env: Env): DetectLoginAbuseConfig {
  const stage = requiredString(env, 'SLUICE_STAGE');
  const d = DEFAULT_ABUSE_THRESHOLDS;
  return {
    table: resourceName(stage, TABLES.abuseCounters.name),
    securityIndex: resourceName(stage, INDEXES.security),
    windowSeconds: integer(env, 'SLUICE_ABUSE_WINDOW_SECONDS', d.windowSeconds, 60, 86_400),
    accountThreshold: integer(
      env,
      'SLUICE_ABUSE_ACCOUNT_THRESHOLD',
      d.accountThreshold,
      1,
      1_000_000,
    ),
    ipThreshold: integer(env, 'SLUICE_ABUSE_IP_THRESHOLD', d.ipThreshold, 1, 1_000_000),
    openSearch: readOpenSearchConfig(env),
  };
}

/** The variables this job reads beyond the job runtime's, for the infra and the README. */
export const ABUSE_ENV_VARS = [
  'SLUICE_ABUSE_WINDOW_SECONDS',
  'SLUICE_ABUSE_ACCOUNT_THRESHOLD',
  'SLUICE_ABUSE_IP_THRESHOLD',
] as const;
