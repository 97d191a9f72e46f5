/**
 * audit: records every valid event in the append-only audit index. Batch-aware — the `*`
 * route gives it as many jobs as all other jobs together, so one bulk request per chunk
 * instead of one request per event, and its jobs travel in packs (up to 64 KB of jobs per
 * SQS message) instead of a message each. Create-only writes keyed by the job id make a
 * repeat a 409 that changes nothing: naturally idempotent.
 */
import { DEFAULT_JOB_SETTINGS, jobDefinition } from '../../jobs';

export const auditJob = jobDefinition({
  name: 'audit',
  description: 'Keeps an audit trail of every valid event',
  eventTypes: ['*'],
  batch: true,
  access: { indexes: ['audit'] },
  settings: {
    ...DEFAULT_JOB_SETTINGS,
    // Nobody waits for the audit trail: let batches fill up for bigger bulk requests. A
    // pack holds up to 100 jobs (about 60 of the shop's events fill its 64 KB), so ten
    // messages bring some 600 jobs: bulk requests of 200.
    jobsPerMessage: 100,
    batchSize: 10,
    chunkSize: 200,
    maxBatchingWindowSeconds: 5,
    maxConcurrency: 10,
    idempotency: 'natural',
    successRecords: 'off',
  },
});
