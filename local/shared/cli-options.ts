/** Option parsers shared by the local commands (`dev`, `chaos`). */
import { InvalidArgumentError } from 'commander';

/**
 * A commander option parser for a whole number ≥ 1.
 *
 * @example
 * ```ts
 * program.option('--events <n>', 'events to publish', positiveInteger, 2000);
 * ```
 */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a positive integer');
  return n;
}
