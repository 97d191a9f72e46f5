/**
 * The handler module reads its configuration when it is loaded (cold start): missing or bad
 * settings stop the container there, naming the variable.
 */
import { describe, expect, it } from 'vitest';
import { coldStartLoader, WORKER_RUNTIME_ENV } from '../../../support/cold-start';

const loadWith = coldStartLoader(
  () => import('../../../../functions/workers/detect-login-abuse/handler'),
  { ...WORKER_RUNTIME_ENV, SLUICE_OPENSEARCH_URL: 'http://127.0.0.1:9200' },
);

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
