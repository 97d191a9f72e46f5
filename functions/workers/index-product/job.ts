/**
 * index-product: reads the product named by a catalog event from the catalog table and
 * bulk-indexes it into OpenSearch. Batch-aware: one bulk request per chunk of a batch.
 */
import { DEFAULT_JOB_SETTINGS, jobDefinition } from '../../jobs';

export const indexProductJob = jobDefinition({
  name: 'index-product',
  description: 'Indexes published products into OpenSearch (bulk, external versions)',
  eventTypes: ['PRODUCT_PUBLISHED', 'PRODUCT_UPDATED', 'PRODUCT_UNPUBLISHED'],
  batch: true,
  access: { tables: { catalog: 'read' }, indexes: ['products'] },
  settings: {
    ...DEFAULT_JOB_SETTINGS,
    timeoutSeconds: 120,
    // One bulk request per chunk of 100; a delivered batch holds several chunks, so the
    // catalog read of one chunk overlaps the bulk request of the one before. Jobs travel in
    // packs of up to 100 (64 KB: about 60 of the shop's events), so 16 messages bring up to
    // about 1,000 jobs. The window lets batches fill up.
    jobsPerMessage: 100,
    batchSize: 16,
    chunkSize: 100,
    maxBatchingWindowSeconds: 5,
    maxConcurrency: 5,
    // External versions make a repeated index write a no-op, so no store is needed.
    idempotency: 'natural',
    successRecords: 'off',
  },
});
