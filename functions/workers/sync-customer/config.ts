/**
 * sync-customer's configuration, read once at cold start.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | SLUICE_STAGE | stage: names the customers table `sluice-<stage>-customers` | required |
 */
import { type Env, requiredString } from '../../shared/env';
import { resourceName } from '../../topology/naming';
import { TABLES } from '../../topology/topology';

export interface SyncCustomerConfig {
  /** Physical name of the customers table. */
  readonly customersTable: string;
}

/**
 * @example
 * ```ts
 * const config = readSyncCustomerConfig(process.env);
 * config.customersTable; // 'sluice-prod-customers'
 * ```
 */
export function readSyncCustomerConfig(env: Env): SyncCustomerConfig {
  const stage = requiredString(env, 'SLUICE_STAGE');
  return { customersTable: resourceName(stage, TABLES.customers.name) };
}
