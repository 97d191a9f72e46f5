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
    // Money: keep a record of every run for troubleshooting.
    successRecords: 'on',
  },
});
