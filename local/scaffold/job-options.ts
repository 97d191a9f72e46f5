/**
 * What `npm run new:job` is asked for, checked before anything is written: a kebab-case name
 * short enough for every resource named after it, and event types of the registry.
 */
import { EVENT_TYPES, type EventType } from '../../functions/events/registry';
import type { RouteKey } from '../../functions/topology/topology';

/** A job name: lowercase words of letters and digits joined by single hyphens. */
export const JOB_NAME_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/**
 * The longest job name: `sluice-<stage>-job-<name>` is its function's name, which Lambda
 * keeps within 64 characters, and a stage may have 24.
 */
export const MAX_JOB_NAME_LENGTH = 64 - 'sluice-'.length - 24 - '-job-'.length;

/** A name or an event type `npm run new:job` refuses; the message says why and what to do. */
export class ScaffoldError extends Error {
  override name = 'ScaffoldError';
}

/**
 * @example
 * ```ts
 * checkJobName('notify-seller'); // 'notify-seller'
 * checkJobName('NotifySeller'); // throws ScaffoldError
 * ```
 */
export function checkJobName(name: string): string {
  if (!JOB_NAME_PATTERN.test(name)) {
    throw new ScaffoldError(
      `Invalid job name "${name}": use kebab-case (lowercase letters and digits in words joined by single hyphens, starting with a letter), e.g. notify-seller`,
    );
  }
  if (name === 'jobs') {
    throw new ScaffoldError('"jobs" is taken: functions/workers/jobs.ts is the registry');
  }
  if (name.length > MAX_JOB_NAME_LENGTH) {
    throw new ScaffoldError(
      `Job name "${name}" is ${name.length} characters long: at most ${MAX_JOB_NAME_LENGTH}, so its function name sluice-<stage>-job-${name} fits Lambda's 64 characters`,
    );
  }
  return name;
}

/**
 * The event types of a comma-separated list, each of the registry, or `*` alone (every
 * valid event); duplicates are refused.
 *
 * @example
 * ```ts
 * parseEventTypes('ITEM_SOLD,PRODUCT_PUBLISHED'); // ['ITEM_SOLD', 'PRODUCT_PUBLISHED']
 * parseEventTypes('*'); // ['*']
 * ```
 */
export function parseEventTypes(list: string): RouteKey[] {
  const types = list
    .split(',')
    .map((type) => type.trim())
    .filter((type) => type !== '');
  if (types.length === 0) {
    throw new ScaffoldError(`No event types given. Known: ${knownTypes().join(', ')}, or *`);
  }
  if (types.includes('*')) {
    if (types.length > 1) throw new ScaffoldError('"*" (every valid event) stands alone');
    return ['*'];
  }
  const unknown = types.filter((type) => !knownTypes().includes(type));
  if (unknown.length > 0) {
    throw new ScaffoldError(
      `Unknown event type${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}. Known: ${knownTypes().join(', ')}, or * for every valid event (a new type is added to functions/events/registry.ts first)`,
    );
  }
  const repeated = types.filter((type, i) => types.indexOf(type) !== i);
  if (repeated.length > 0) throw new ScaffoldError(`Event type ${repeated[0]} given twice`);
  return types as EventType[];
}

function knownTypes(): string[] {
  return EVENT_TYPES.map(({ type }) => type);
}
