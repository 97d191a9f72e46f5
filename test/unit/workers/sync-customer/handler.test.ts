/**
 * The handler module reads its configuration when it is loaded (cold start).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';

async function loadWith(env: Record<string, string>) {
  vi.resetModules();
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  return import('../../../../functions/workers/sync-customer/handler');
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('sync-customer handler module', () => {
  it('exports a handler when the stage and queue base are set', async () => {
    const module = await loadWith({
      SLUICE_STAGE: 'unit',
      SLUICE_QUEUE_URL_BASE: 'https://sqs.eu-west-1.amazonaws.com/123456789012/',
      AWS_REGION: 'eu-west-1',
    });
    expect(typeof module.handler).toBe('function');
  });

  it('fails to load without a stage', async () => {
    await expect(
      loadWith({ SLUICE_STAGE: '', SLUICE_QUEUE_URL_BASE: 'https://sqs.example/1/' }),
    ).rejects.toThrow('SLUICE_STAGE');
  });
});
