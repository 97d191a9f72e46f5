/**
 * The handler module reads its configuration when it is loaded (cold start): a bad rates
 * variable must stop the container there, naming the variable.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const runtimeEnv = {
  SLUICE_STAGE: 'unit',
  SLUICE_QUEUE_URL_BASE: 'https://sqs.eu-west-1.amazonaws.com/123456789012/',
  AWS_REGION: 'eu-west-1',
};

async function loadWith(env: Record<string, string>) {
  vi.resetModules();
  for (const [name, value] of Object.entries({ ...runtimeEnv, ...env })) vi.stubEnv(name, value);
  return import('../../../../functions/workers/record-commission/handler');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

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
