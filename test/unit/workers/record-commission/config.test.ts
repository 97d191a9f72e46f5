import { describe, expect, it } from 'vitest';
import { readRecordCommissionConfig } from '../../../../functions/workers/record-commission/config';
import { DEFAULT_COMMISSION_RATES } from '../../../../functions/workers/record-commission/rates';

describe('readRecordCommissionConfig', () => {
  it('derives the table from the stage and uses the default rates', () => {
    expect(readRecordCommissionConfig({ SLUICE_STAGE: 'prod' })).toEqual({
      table: 'sluice-prod-commissions',
      rates: DEFAULT_COMMISSION_RATES,
    });
  });

  it.each([
    [{}, 'SLUICE_STAGE'],
    [{ SLUICE_STAGE: 'prod', SLUICE_COMMISSION_RATES: '{' }, 'SLUICE_COMMISSION_RATES'],
  ])('rejects %j naming the variable', (env, variable) => {
    expect(() => readRecordCommissionConfig(env)).toThrow(variable);
  });
});
