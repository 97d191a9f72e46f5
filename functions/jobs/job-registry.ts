/**
 * The registry of jobs as one list: each definition keyed by its own name, so a job is
 * registered by adding its definition to the list in `functions/workers/jobs.ts`, and the
 * job names (the type every other module uses) follow from it.
 */
import type { JobDefinition } from './job-definition';

/** The definitions of a list keyed by their names: `{ audit: JobDefinition<'audit'>, … }`. */
export type JobRegistry<D extends readonly JobDefinition<string>[]> = {
  readonly [K in D[number] as K['name']]: K;
};

/**
 * Keys each definition by its name, in the order given; throws when two share a name.
 *
 * @example
 * ```ts
 * const jobs = jobRegistry([auditJob, syncCustomerJob]);
 * jobs.audit.eventTypes; // ['*']
 * ```
 */
export function jobRegistry<const D extends readonly JobDefinition<string>[]>(
  definitions: D,
): JobRegistry<D> {
  const registry: Record<string, JobDefinition<string>> = {};
  for (const definition of definitions) {
    if (Object.hasOwn(registry, definition.name)) {
      throw new Error(`Job "${definition.name}" is registered twice`);
    }
    registry[definition.name] = definition;
  }
  return Object.freeze(registry) as JobRegistry<D>;
}
