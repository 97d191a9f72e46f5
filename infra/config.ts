/**
 * The stage configuration, read from CDK context (`cdk.json` or `-c key=value`), with
 * defaults that synthesize offline without credentials.
 */
import type { Node } from 'constructs';
import { STAGE_PATTERN } from '../functions/topology/naming';

export interface StageConfig {
  readonly stage: string;
  /** ARN of an existing MSK cluster; without it the router is deployed without its mapping. */
  readonly mskClusterArn?: string;
  /** Router event source: records per batch and the batching window. */
  readonly routerBatchSize: number;
  readonly routerBatchingWindowSeconds: number;
}

/**
 * @example
 * ```ts
 * const config = readStageConfig(app.node); // `cdk synth -c sluice:stage=prod`
 * ```
 */
export function readStageConfig(node: Node): StageConfig {
  const stage = String(node.tryGetContext('sluice:stage') ?? 'dev');
  if (!STAGE_PATTERN.test(stage))
    throw new Error(`sluice:stage "${stage}" must match ${STAGE_PATTERN}`);
  const arn = node.tryGetContext('sluice:mskClusterArn') as string | undefined;
  return {
    stage,
    ...(arn ? { mskClusterArn: arn } : {}),
    routerBatchSize: Number(node.tryGetContext('sluice:routerBatchSize') ?? 500),
    routerBatchingWindowSeconds: Number(
      node.tryGetContext('sluice:routerBatchingWindowSeconds') ?? 1,
    ),
  };
}
