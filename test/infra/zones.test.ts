import { describe, expect, it } from 'vitest';
import { resolveStageConfig } from '../../infra/config/resolve-config';
import { availabilityZoneIds, MSK_REFUSED_ZONE_IDS } from '../../infra/config/zones';
import { resourcesOf, synthStage } from './support/synth';

const subnetsOf = (overrides: object) => {
  const stage = synthStage(overrides);
  return Object.values(resourcesOf(stage.template(stage.stacks.network), 'AWS::EC2::Subnet')).map(
    (r) => r.Properties,
  );
};

describe('availability zones by ID', () => {
  it('places a us-east-1 VPC in zones MSK accepts by default, by ID, without a lookup', () => {
    const subnets = subnetsOf({ region: 'us-east-1', account: '123456789012' });
    expect(subnets.map((s) => s.AvailabilityZoneId)).toEqual(['use1-az1', 'use1-az2']);
    for (const subnet of subnets) expect(subnet.AvailabilityZone).toBeUndefined();
    expect(subnets.map((s) => s.AvailabilityZoneId)).not.toContain(MSK_REFUSED_ZONE_IDS[0]);
  });

  it('takes the zones a stage names, three even without account and region', () => {
    const subnets = subnetsOf({
      network: {
        mode: 'create',
        egress: 'nat',
        availabilityZoneIds: ['euw1-az3', 'euw1-az1', 'euw1-az2'],
      },
      kafka: { mode: 'provisioned', brokerNodes: 3 },
    });
    // A public and a private subnet per zone.
    expect(subnets.map((s) => s.AvailabilityZoneId).sort()).toEqual([
      'euw1-az1',
      'euw1-az1',
      'euw1-az2',
      'euw1-az2',
      'euw1-az3',
      'euw1-az3',
    ]);
  });

  it('keeps CloudFormation’s zone names where no default is known, or when the stage opts out', () => {
    const config = resolveStageConfig('test', [{ region: 'eu-west-1' }]);
    expect(availabilityZoneIds(config)).toBeUndefined();
    const optOut = resolveStageConfig('test', [
      { region: 'us-east-1', network: { mode: 'create', availabilityZoneIds: null } },
    ]);
    expect(availabilityZoneIds(optOut)).toBeUndefined();
    const subnets = subnetsOf({});
    for (const subnet of subnets) {
      expect(subnet.AvailabilityZoneId).toBeUndefined();
      expect(subnet.AvailabilityZone).toBeDefined();
    }
  });

  it('rejects at synth a zone MSK refuses, repeated zones and another region’s zones', () => {
    const layer = (ids: string[], extra: object = {}) => [
      { network: { mode: 'create', availabilityZoneIds: ids }, ...extra },
    ];
    expect(() => resolveStageConfig('test', layer(['use1-az1', 'use1-az3']))).toThrow(
      /includes use1-az3, where MSK refuses client subnets/,
    );
    // Without a created cluster the zone is fine.
    expect(() =>
      resolveStageConfig('test', layer(['use1-az1', 'use1-az3'], { kafka: { mode: 'none' } })),
    ).not.toThrow();
    expect(() => resolveStageConfig('test', layer(['use1-az1', 'use1-az1']))).toThrow(
      /must not repeat a zone/,
    );
    expect(() =>
      resolveStageConfig('test', layer(['euw1-az1', 'euw1-az2'], { region: 'us-east-1' })),
    ).toThrow(/are not zones of us-east-1/);
    expect(() => resolveStageConfig('test', layer(['use1-az1', 'euw1-az2']))).toThrow(
      /mixes regions/,
    );
  });
});
