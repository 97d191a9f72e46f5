/**
 * The handler module reads its configuration when it is loaded (cold start): a bad rates
 * variable must stop the container there, naming the variable.
 */
import { describe, expect, it } from 'vitest';
import { coldStartLoader, WORKER_RUNTIME_ENV } from '../../../support/cold-start';

const loadWith = coldStartLoader(
  () => import('../../../../functions/workers/record-commission/handler'),
  WORKER_RUNTIME_ENV,
);

describe('record-commission handler module', () => {
  it('exports a handler when the configuration is valid', async () => {
    const module = await loadWith({ SLUICE_COMMISSION_RATES: '{"defaultBasisPoints":800}' });
    expect(typeof module.handler).toBe('function');
  });

  it('fails to load with invalid rates, naming the variable', async () => {
    await expect(
      loadWith({ SLUICE_COMMISSION_RATES: '{"defaultBasisPoints":-1}' }),
    ).rejects.toThrow('SLUICE_COMMISSION_RATES is invalid at /defaultBasisPoints');
  });
});
