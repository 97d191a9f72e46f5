/**
 * index-product: reads the product named by a catalog event from the catalog table and
 * bulk-indexes it into OpenSearch. Batch-aware: one bulk request per batch.
 */
import { DEFAULT_JOB_SETTINGS, jobDefinition } from '../../jobs/job-definition';

export const indexProductJob = jobDefinition({
  name: 'index-product',
  description: 'Indexes published products into OpenSearch (bulk, external versions)',
  eventTypes: ['PRODUCT_PUBLISHED', 'PRODUCT_UPDATED', 'PRODUCT_UNPUBLISHED'],
  batch: true,
  access: { tables: { catalog: 'read' }, indexes: ['products'] },
  settings: {
    ...DEFAULT_JOB_SETTINGS,
    timeoutSeconds: 120,
    // Bulk requests pay off with larger batches; the window lets them fill up.
    batchSize: 100,
    maxBatchingWindowSeconds: 5,
    maxConcurrency: 5,
    // External versions make a repeated index write a no-op, so no store is needed.
    idempotency: 'natural',
    successRecords: 'off',
  },
});
