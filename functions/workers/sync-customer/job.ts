/**
 * sync-customer: merges field changes into the customer table (newest `changedAt` wins per
 * field, optimistic concurrency on a version). Per-field change times already make a
 * duplicate harmless (it writes nothing), so `natural` would be safe too and would save
 * the store's two writes per job; the store stays until that trade is decided.
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
    idempotency: 'store',
    successRecords: 'sampled',
    sampleRate: 0.1,
  },
});
