/**
 * audit: writes every valid event to the audit index, keyed by the job id, so a repeated
 * write replaces the same document: naturally idempotent.
 */
import { DEFAULT_JOB_SETTINGS, jobDefinition } from '../../jobs/job-definition';

export const auditJob = jobDefinition({
  name: 'audit',
  description: 'Keeps an audit trail of every valid event',
  eventTypes: ['*'],
  batch: false,
  access: { indexes: ['audit'] },
  settings: {
    ...DEFAULT_JOB_SETTINGS,
    maxConcurrency: 20,
    idempotency: 'natural',
    successRecords: 'off',
  },
});
