import { randomBytes } from 'node:crypto';

// One id per test file run: time (sortable, for finding leftovers) plus randomness (two runs
// in the same millisecond, or on two machines against one AWS account, never collide).
const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/**
 * A resource name unique to this run, e.g. `sluice-it-mfx1k2-a1b2c3-dlq`: lower case, digits
 * and dashes only, so it is valid for topics, queues, tables and buckets alike.
 */
export function runName(suffix: string): string {
  return `sluice-it-${runId}-${suffix}`;
}
