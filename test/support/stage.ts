/**
 * Stage names for tests that provision real resources side by side, and their removal: each
 * name is noted in a file the global teardown reads, so every stage a run made is deleted
 * from the local services afterwards (moto and ElasticMQ keep everything until then) — also
 * the leftovers of a run that was killed.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { servicesRoot } from '../../local/services/paths';

/** One stage name per line, appended by every test process. */
const REGISTRY = join(servicesRoot, 'test-stages.txt');

/**
 * A stage name unique to this run: the prefix, the time, and a random tail, within the
 * 24 characters a stage allows (STAGE_PATTERN). Noted for removal after the run.
 *
 * @example
 * ```ts
 * const stage = uniqueStage('ip'); // 'ipmiik3x2q5f1c'
 * ```
 */
export function uniqueStage(prefix: string): string {
  const stage = `${prefix}${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  mkdirSync(servicesRoot, { recursive: true });
  appendFileSync(REGISTRY, `${stage}\n`);
  return stage;
}

/**
 * The stages noted so far, forgotten as they are returned.
 *
 * @example
 * ```ts
 * for (const stage of takeNotedStages()) await removeStage(stage);
 * ```
 */
export function takeNotedStages(): string[] {
  let text = '';
  try {
    text = readFileSync(REGISTRY, 'utf8');
  } catch {
    return [];
  }
  rmSync(REGISTRY, { force: true });
  return [...new Set(text.split('\n').filter((line) => line.length > 0))];
}
