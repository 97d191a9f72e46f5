/**
 * sync-customer: merges field changes into the customer table (newest `changedAt` wins per
 * field, optimistic concurrency on a version). Naturally idempotent: per-field change times
 * make a duplicate or a stale redelivery write nothing, and the version makes concurrent
 * deliveries merge one after the other (test/integration/workers/sync-customer.test.ts checks
 * any order, duplication and race against a model). The idempotency store would add a claim
 * and a completion, two writes per job, for no further guarantee (issue 19 §2).
 */
import { DEFAULT_JOB_SETTINGS, jobDefinition } from '../../jobs';

export const syncCustomerJob = jobDefinition({
  name: 'sync-customer',
  description: 'Merges customer field changes into the customers table',
  eventTypes: ['CUSTOMER_CREATED', 'CUSTOMER_UPDATED'],
  batch: false,
  access: { tables: { customers: 'readWrite' } },
  settings: {
    ...DEFAULT_JOB_SETTINGS,
    idempotency: 'natural',
    // A sample of successful runs to trace by (failures, retries and redrives are always
    // recorded): each record is a write, so 1 % as for detect-login-abuse, not 10 % (issue 19).
    successRecords: 'sampled',
    sampleRate: 0.01,
  },
});
