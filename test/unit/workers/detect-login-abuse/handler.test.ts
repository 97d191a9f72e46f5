/**
 * The handler module reads its configuration when it is loaded (cold start): missing or bad
 * settings stop the container there, naming the variable.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

const runtimeEnv = {
  SLUICE_STAGE: 'unit',
  SLUICE_QUEUE_URL_BASE: 'https://sqs.eu-west-1.amazonaws.com/123456789012/',
  AWS_REGION: 'eu-west-1',
  SLUICE_OPENSEARCH_URL: 'http://127.0.0.1:9200',
};

async function loadWith(env: Record<string, string>) {
  vi.resetModules();
  for (const [name, value] of Object.entries({ ...runtimeEnv, ...env })) vi.stubEnv(name, value);
  return import('../../../../functions/workers/detect-login-abuse/handler');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('detect-login-abuse handler module', () => {
  it('exports a handler when the configuration is valid', async () => {
    const module = await loadWith({ SLUICE_ABUSE_ACCOUNT_THRESHOLD: '3' });
    expect(typeof module.handler).toBe('function');
  });

  it('fails to load without the OpenSearch URL or with a bad threshold', async () => {
    await expect(loadWith({ SLUICE_OPENSEARCH_URL: '' })).rejects.toThrow('SLUICE_OPENSEARCH_URL');
    await expect(loadWith({ SLUICE_ABUSE_IP_THRESHOLD: '-5' })).rejects.toThrow(
      'SLUICE_ABUSE_IP_THRESHOLD',
    );
  });
});
