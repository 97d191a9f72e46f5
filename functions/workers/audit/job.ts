/**
 * audit: records every valid event in the append-only audit index. Batch-aware — the `*`
 * route gives it as many jobs as all other jobs together, so one bulk request per batch
 * instead of one request per event. Create-only writes keyed by the job id make a repeat
 * a 409 that changes nothing: naturally idempotent.
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
    // Nobody waits for the audit trail: let batches fill up for bigger bulk requests.
    batchSize: 200,
    maxBatchingWindowSeconds: 5,
    maxConcurrency: 10,
    idempotency: 'natural',
    successRecords: 'off',
  },
});
