/**
 * Every job, registered once: the CDK stacks, the local event-source emulation, the router's routes, the
 * alarms and the CLI read this registry. It imports only pure definition files, never
 * handlers or clients. A job is registered by importing its `job.ts` and adding it to the
 * list (`npm run new:job` does both); its handler is `functions/workers/<name>/handler.ts`.
 *
 * @example
 * ```ts
 * JOBS.audit.settings.maxConcurrency; // 10
 * ```
 */
import type { JobDefinition } from '../jobs/job-definition';
import { jobRegistry } from '../jobs/job-registry';
import { type Routes, routesOf } from '../topology/topology';
import { auditJob } from './audit/job';
import { detectLoginAbuseJob } from './detect-login-abuse/job';
import { indexProductJob } from './index-product/job';
import { recordCommissionJob } from './record-commission/job';
import { syncCustomerJob } from './sync-customer/job';

export const JOBS = jobRegistry([
  indexProductJob,
  recordCommissionJob,
  detectLoginAbuseJob,
  syncCustomerJob,
  auditJob,
]);

/** The name of a registered job. */
export type JobName = keyof typeof JOBS;

/** Every job name, in registry order. */
export const JOB_NAMES: readonly JobName[] = Object.freeze(Object.keys(JOBS) as JobName[]);

/** The definitions as a list, in registry order. */
export const JOB_DEFINITIONS: readonly JobDefinition[] = Object.values(JOBS);

/**
 * Event type → jobs, derived from each job's `eventTypes`: the router's routing table.
 *
 * @example
 * ```ts
 * ROUTES.ITEM_SOLD; // ['record-commission']
 * ROUTES['*']; // ['audit']
 * ```
 */
export const ROUTES: Routes = routesOf(JOB_DEFINITIONS);
