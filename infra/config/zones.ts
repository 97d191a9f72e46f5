/**
 * Availability zones by ID. Zone names (`us-east-1a`) map to different physical zones in
 * each account; zone IDs (`use1-az1`) do not. MSK refuses client subnets in some zones, and
 * it names them by ID, so a created VPC picks its zones by ID where that matters.
 */
import type { StageConfig } from './schema';

/**
 * Zones whose subnets MSK refuses for brokers (CreateCluster answers that the subnets belong
 * to unsupported Availability Zones). `use1-az3` is the one met in practice; extend as found.
 */
export const MSK_REFUSED_ZONE_IDS: readonly string[] = ['use1-az3'];

/**
 * The zone IDs a created VPC uses by default in regions that have a zone MSK refuses: the
 * others, in order. Regions not listed keep CloudFormation's first zone names (every zone
 * there takes MSK brokers as far as we know; `sluice preflight` checks the real IDs).
 */
export const DEFAULT_ZONE_IDS: Readonly<Record<string, readonly string[]>> = {
  'us-east-1': ['use1-az1', 'use1-az2', 'use1-az4', 'use1-az5', 'use1-az6'],
};

/**
 * The region part of a zone ID: `use1` of `use1-az1`.
 *
 * @example
 * ```ts
 * zoneIdPrefix('use1-az1'); // 'use1'
 * ```
 */
export function zoneIdPrefix(zoneId: string): string {
  return zoneId.replace(/-az[0-9]+$/, '');
}

/**
 * The zone IDs a created VPC places its subnets in, or undefined when it uses
 * CloudFormation's zone names (imported VPCs, and regions without a default).
 *
 * @example
 * ```ts
 * availabilityZoneIds(resolveStageConfig('prod', [{ region: 'us-east-1' }])); // ['use1-az1', 'use1-az2']
 * ```
 */
export function availabilityZoneIds(
  config: Pick<StageConfig, 'network' | 'region'>,
): readonly string[] | undefined {
  const { network } = config;
  if (network.mode !== 'create' || network.availabilityZoneIds === null) return undefined;
  if (network.availabilityZoneIds) return network.availabilityZoneIds;
  const defaults = config.region ? DEFAULT_ZONE_IDS[config.region] : undefined;
  return defaults?.slice(0, network.maxAzs);
}
