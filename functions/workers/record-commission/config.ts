/**
 * record-commission's configuration, read once at cold start.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | SLUICE_STAGE | stage: names the commissions table `sluice-<stage>-commissions` | required |
 * | SLUICE_COMMISSION_RATES | rates as JSON, in basis points (see rates.ts) | 10 % for every seller |
 */
import { type Env, requiredString } from '../../shared/env';
import { resourceName } from '../../topology/naming';
import { TABLES } from '../../topology/topology';
import { type CommissionRates, readCommissionRates } from './rates';

export interface RecordCommissionConfig {
  /** Physical name of the commissions table. */
  readonly table: string;
  readonly rates: CommissionRates;
}

/**
 * Reads the stage's table name and the rates; throws at cold start when either is wrong.
 *
 * @example
 * ```ts
 * const config = readRecordCommissionConfig(process.env);
 * config.table; // 'sluice-prod-commissions'
 * ```
 */
export function readRecordCommissionConfig(env: Env): RecordCommissionConfig {
  const stage = requiredString(env, 'SLUICE_STAGE');
  return {
    table: resourceName(stage, TABLES.commissions.name),
    rates: readCommissionRates(env),
  };
}
