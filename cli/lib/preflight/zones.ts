/**
 * The availability zones the stage's subnets use, by ID, against the zones MSK refuses for
 * client subnets. Zone names map to different physical zones in each account, so only the
 * account's own name → ID mapping (DescribeAvailabilityZones) tells whether `us-east-1a`
 * is `use1-az3` here.
 */
import { DescribeAvailabilityZonesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { availabilityZoneCount } from '../../../infra/config/checks';
import type { StageConfig } from '../../../infra/config/schema';
import { availabilityZoneIds, MSK_REFUSED_ZONE_IDS } from '../../../infra/config/zones';
import { couldNotCheck, type PreflightCheck } from './check';

const ID = 'availability-zones';
const TITLE = 'Availability zones (by ID) for MSK';

interface Zone {
  readonly name: string;
  readonly id: string;
}

/**
 * @example
 * ```ts
 * await checkZones(new EC2Client({ region: 'us-east-1' }), config);
 * ```
 */
export async function checkZones(ec2: EC2Client, config: StageConfig): Promise<PreflightCheck> {
  let zones: Zone[];
  try {
    const answer = await ec2.send(
      new DescribeAvailabilityZonesCommand({
        Filters: [{ Name: 'zone-type', Values: ['availability-zone'] }],
      }),
    );
    zones = (answer.AvailabilityZones ?? [])
      .filter((z) => z.State === 'available' && z.ZoneName && z.ZoneId)
      .map((z) => ({ name: z.ZoneName as string, id: z.ZoneId as string }))
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch (error) {
    return couldNotCheck(ID, TITLE, error);
  }
  const createsCluster = config.kafka.mode === 'provisioned' || config.kafka.mode === 'serverless';
  const known = new Set(zones.map((z) => z.id));
  const allowed = zones.filter((z) => !MSK_REFUSED_ZONE_IDS.includes(z.id));
  const count = availabilityZoneCount(config);
  const suggestion = `set network.availabilityZoneIds to ${JSON.stringify(allowed.slice(0, count).map((z) => z.id))}`;

  let used: Zone[];
  let source: string;
  const ids = availabilityZoneIds(config);
  if (ids) {
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0) {
      return {
        id: ID,
        title: TITLE,
        status: 'fail',
        detail: `${missing.join(', ')} not offered in this region to this account (it has ${zones.map((z) => z.id).join(', ')})`,
        fix: suggestion,
      };
    }
    used = ids.map((id) => zones.find((z) => z.id === id) as Zone);
    source =
      config.network.mode === 'create' && config.network.availabilityZoneIds
        ? 'network.availabilityZoneIds'
        : `the default zone IDs of ${config.region}`;
  } else if (config.network.mode === 'import') {
    const names = config.network.availabilityZones;
    used = names.map((name) => zones.find((z) => z.name === name) ?? { name, id: '?' });
    source = 'the imported VPC’s zones';
  } else {
    used = zones.slice(0, count);
    source = `CloudFormation's first ${count} zones (Fn::GetAZs)`;
  }
  const list = used.map((z) => `${z.name}=${z.id}`).join(', ');
  const refused = used.filter((z) => MSK_REFUSED_ZONE_IDS.includes(z.id));
  if (createsCluster && refused.length > 0) {
    return {
      id: ID,
      title: TITLE,
      status: 'fail',
      detail: `${source}: ${list}; MSK refuses client subnets in ${refused.map((z) => z.id).join(', ')}`,
      fix:
        config.network.mode === 'create'
          ? suggestion
          : 'Give the cluster subnets in other zones (network.privateSubnetIds and availabilityZones).',
    };
  }
  return {
    id: ID,
    title: TITLE,
    status: 'pass',
    detail: `${source}: ${list}${createsCluster ? '' : ' (no cluster created)'}`,
  };
}
