/**
 * Unique names for what tests create, in one place: resources named per test-file run, and
 * ids (orders, events, products) that must not meet another test's.
 */
import { randomBytes } from 'node:crypto';

// One id per test file run: time (sortable, for finding leftovers) plus randomness (two runs
// in the same millisecond, or on two machines against one AWS account, never collide).
const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/**
 * A resource name unique to this run: lower case, digits and dashes only, so it is valid for
 * topics, queues, tables and buckets alike.
 *
 * @example
 * ```ts
 * runName('dlq'); // 'sluice-it-mfx1k2-a1b2c3-dlq'
 * ```
 */
export function runName(suffix: string): string {
  return `sluice-it-${runId}-${suffix}`;
}

/**
 * An id no other test uses: the prefix and a random tail.
 *
 * @example
 * ```ts
 * uniqueId('order-dup'); // 'order-dup-9f3a1c'
 * ```
 */
export function uniqueId(prefix: string, bytes = 3): string {
  return `${prefix}-${randomBytes(bytes).toString('hex')}`;
}
