/**
 * A stage's configuration as `cdk.json` declares it, without a CDK app: what the
 * deployed-stack test compares LocalStack's functions and mappings with.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveStageConfig } from '../../infra/config/resolve-config';
import type { StageConfig } from '../../infra/config/schema';
import { repoRoot } from '../services/paths';

/** The `sluice:stages.<stage>` entry of cdk.json, as written there. */
export function cdkJsonStageEntry(stage: string): object {
  const cdkJson = JSON.parse(readFileSync(join(repoRoot, 'cdk.json'), 'utf8')) as {
    context: { 'sluice:stages': Record<string, object | undefined> };
  };
  const entry = cdkJson.context['sluice:stages'][stage];
  if (entry === undefined) throw new Error(`cdk.json declares no stage "${stage}"`);
  return entry;
}

/**
 * @example
 * ```ts
 * cdkJsonStageConfig('localstack').kafka; // { mode: 'none' }
 * ```
 */
export function cdkJsonStageConfig(stage: string): StageConfig {
  return resolveStageConfig(stage, [cdkJsonStageEntry(stage)]);
}
