import { describe, expect, it } from 'vitest';
import { readSyncCustomerConfig } from '../../../../functions/workers/sync-customer/config';

describe('readSyncCustomerConfig', () => {
  it('derives the customers table from the stage', () => {
    expect(readSyncCustomerConfig({ SLUICE_STAGE: 'prod' })).toEqual({
      customersTable: 'sluice-prod-customers',
    });
  });

  it('requires the stage', () => {
    expect(() => readSyncCustomerConfig({})).toThrow('SLUICE_STAGE');
  });
});
