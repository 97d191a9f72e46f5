/** Stage names for tests that provision real resources side by side. */
import { randomBytes } from 'node:crypto';

/**
 * A stage name unique to this run: the prefix, the time, and a random tail, within the
 * 24 characters a stage allows (STAGE_PATTERN).
 *
 * @example
 * ```ts
 * const stage = uniqueStage('ip'); // 'ipmiik3x2q5f1c'
 * ```
 */
export function uniqueStage(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
}
