/**
 * The local runtime finds each registered job's handler by the folder convention the CDK
 * stacks bundle (`functions/workers/<job>/handler.ts`): no list of handlers to keep in step.
 * Loading the modules builds clients and reads configuration, nothing is called.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JOB_NAMES } from '../../../../functions/workers/jobs';
import { pipelineEnvironment } from '../../../../local/dev/environment';
import { importHandlers, importWorker } from '../../../../local/dev/handlers';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('importHandlers', () => {
  it("imports the router, replay and every registered job's handler", async () => {
    const env = pipelineEnvironment({
      stage: 'unit',
      queueUrls: new Map(),
      queueUrlBase: 'http://127.0.0.1:9324/000000000000/',
      claimCheckBucket: 'sluice-unit-claim-check',
      tables: new Map(),
      indexes: new Map(),
    });
    for (const [name, value] of Object.entries({ ...env, AWS_REGION: 'eu-west-1' })) {
      vi.stubEnv(name, value);
    }
    const handlers = await importHandlers();
    expect(typeof handlers.router).toBe('function');
    expect(typeof handlers.replay).toBe('function');
    expect(Object.keys(handlers.workers)).toEqual([...JOB_NAMES]);
    for (const job of JOB_NAMES) expect(typeof handlers.workers[job], job).toBe('function');
  }, 60_000);

  it('names the module when a job has no handler', async () => {
    await expect(importWorker('no-such-job' as never)).rejects.toThrow(
      /functions\/workers\/no-such-job\/handler/,
    );
  });
});
