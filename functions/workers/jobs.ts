/**
 * Every job definition, keyed by job name. The CDK stacks and the local event-source emulation read
 * this registry; it imports only pure definition files, never handlers or clients.
 *
 * @example
 * ```ts
 * JOBS.audit.settings.maxConcurrency; // 10
 * ```
 */
import type { JobDefinition } from '../jobs/job-definition';
import { type JobName, type Routes, routesOf } from '../topology/topology';
import { auditJob } from './audit/job';
import { detectLoginAbuseJob } from './detect-login-abuse/job';
import { indexProductJob } from './index-product/job';
import { recordCommissionJob } from './record-commission/job';
import { syncCustomerJob } from './sync-customer/job';

export const JOBS: Readonly<Record<JobName, JobDefinition>> = {
  'index-product': indexProductJob,
  'record-commission': recordCommissionJob,
  'detect-login-abuse': detectLoginAbuseJob,
  'sync-customer': syncCustomerJob,
  audit: auditJob,
};

/** The definitions as a list, in topology order. */
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
