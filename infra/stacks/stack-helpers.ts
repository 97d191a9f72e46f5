/**
 * Small translations from the stage configuration to CDK values, shared by the stacks.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { resourceName } from '../../functions/topology/naming';
import type { StageConfig } from '../config/schema';

/** The schema only admits values CloudWatch Logs accepts, which are RetentionDays' values. */
export function logRetention(config: Pick<StageConfig, 'logRetentionDays'>): RetentionDays {
  return config.logRetentionDays as RetentionDays;
}

/** Retain (production data) or destroy (a demo stage), for tables, buckets and the domain. */
export function dataRemovalPolicy(config: Pick<StageConfig, 'removalPolicy'>): RemovalPolicy {
  return config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}

/** `sluice-<stage>-<name>` for this stage. */
export function namer(config: Pick<StageConfig, 'stage'>): (logical: string) => string {
  return (logical) => resourceName(config.stage, logical);
}

/** Stack names: `sluice-<stage>-<part>`. */
export function stackName(stage: string, part: string): string {
  return resourceName(stage, part);
}
