/**
 * Reads a stage's configuration from CDK context: `sluice:stage` picks the stage,
 * `sluice:stages.<stage>` in `cdk.json` holds its overrides, and `sluice:config` (an object,
 * or JSON on the command line) overrides both for one synth.
 */
import type { Node } from 'constructs';
import { resolveStageConfig } from './resolve-config';
import type { StageConfig } from './schema';

export const CONTEXT_KEYS = {
  stage: 'sluice:stage',
  stages: 'sluice:stages',
  overrides: 'sluice:config',
} as const;

function parsed(value: unknown, key: string): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new Error(`Context ${key} is not JSON: ${(error as Error).message}`);
  }
}

/**
 * @example
 * ```ts
 * // npx cdk synth -c sluice:stage=prod -c 'sluice:config={"router":{"batchSize":100}}'
 * const config = readStageConfig(app.node);
 * ```
 */
export function readStageConfig(node: Node): StageConfig {
  const stage = String(node.tryGetContext(CONTEXT_KEYS.stage) ?? 'dev');
  const stages = parsed(node.tryGetContext(CONTEXT_KEYS.stages), CONTEXT_KEYS.stages) as
    | Record<string, unknown>
    | undefined;
  const overrides = parsed(node.tryGetContext(CONTEXT_KEYS.overrides), CONTEXT_KEYS.overrides);
  return resolveStageConfig(stage, [stages?.[stage], overrides]);
}
