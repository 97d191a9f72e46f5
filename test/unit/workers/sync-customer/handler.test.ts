/**
 * The handler module reads its configuration when it is loaded (cold start).
 */
import { describe, expect, it } from 'vitest';
import { coldStartLoader, WORKER_RUNTIME_ENV } from '../../../support/cold-start';

const loadWith = coldStartLoader(
  () => import('../../../../functions/workers/sync-customer/handler'),
);

describe('sync-customer handler module', () => {
  it('exports a handler when the stage and queue base are set', async () => {
    const module = await loadWith({ ...WORKER_RUNTIME_ENV });
    expect(typeof module.handler).toBe('function');
  });

  it('fails to load without a stage', async () => {
    await expect(
      loadWith({ SLUICE_STAGE: '', SLUICE_QUEUE_URL_BASE: 'https://sqs.example/1/' }),
    ).rejects.toThrow('SLUICE_STAGE');
  });
});
