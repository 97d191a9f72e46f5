/**
 * sync-customer: merges field changes into the customer table (newest `changedAt` wins).
 * Uses the store so a duplicate never re-applies an older merge over a newer one.
 */
import { DEFAULT_JOB_SETTINGS, jobDefinition } from '../../jobs/job-definition';

export const syncCustomerJob = jobDefinition({
  name: 'sync-customer',
  description: 'Merges customer field changes into the customers table',
  eventTypes: ['CUSTOMER_CREATED', 'CUSTOMER_UPDATED'],
  batch: false,
  access: { tables: { customers: 'readWrite' } },
  settings: {
    ...DEFAULT_JOB_SETTINGS,
    idempotency: 'store',
    successRecords: 'sampled',
    sampleRate: 0.1,
  },
});
