/**
 * A stage's configuration as `cdk synth` would resolve it, read by the CLI from the
 * repository's cdk.json (`sluice:stages.<stage>`) plus an optional JSON override, like
 * `-c sluice:config=…`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTEXT_KEYS } from '../../infra/config/read-stage-config';
import { InvalidStageConfigError, resolveStageConfig } from '../../infra/config/resolve-config';
import type { StageConfig } from '../../infra/config/schema';
import { repoRoot } from '../../shared/paths';
import { CliError, EXIT } from './io';

/**
 * @example
 * ```ts
 * const config = stageConfigFromCdkJson('prod', '{"region":"eu-west-1"}');
 * ```
 */
export function stageConfigFromCdkJson(
  stage: string,
  overridesJson?: string,
  cdkJsonPath = join(repoRoot, 'cdk.json'),
): StageConfig {
  const cdkJson = JSON.parse(readFileSync(cdkJsonPath, 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const stages = (cdkJson.context?.[CONTEXT_KEYS.stages] ?? {}) as Record<string, unknown>;
  let overrides: unknown;
  if (overridesJson !== undefined) {
    try {
      overrides = JSON.parse(overridesJson);
    } catch (error) {
      throw new CliError(`--config is not JSON: ${(error as Error).message}`, EXIT.usage);
    }
  }
  try {
    return resolveStageConfig(stage, [stages[stage], overrides]);
  } catch (error) {
    if (error instanceof InvalidStageConfigError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
}
