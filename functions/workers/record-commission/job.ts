/**
 * record-commission: writes one commission item per sold line to DynamoDB. The item id is
 * derived from the order and line, and the write is conditional, so it is idempotent.
 */
import { DEFAULT_JOB_SETTINGS, jobDefinition } from '../../jobs';

export const recordCommissionJob = jobDefinition({
  name: 'record-commission',
  description: 'Records seller commissions for each sold line',
  eventTypes: ['ITEM_SOLD'],
  batch: false,
  access: { tables: { commissions: 'write' } },
  settings: {
    ...DEFAULT_JOB_SETTINGS,
    idempotency: 'natural',
    // Each commission item is its own record of the run (event id and source, job id, time
    // recorded: commission-item.ts); a success record repeated it at one more write per job.
    // Failures, retries and redriven jobs are recorded as for every job.
    successRecords: 'off',
  },
});
