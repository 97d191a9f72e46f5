/**
 * A job as `npm run new:job` generates it runs under the local event-source runtime with no
 * other edit: scaffolded into a copy of the repository, its stage provisioned from the copy's
 * topology (its queue and DLQ included), sample events routed to it by the router's handler,
 * and its queue drained by its handler, found by the folder convention. Needs the local
 * services (SQS, DynamoDB, S3); the unit test test/unit/local/scaffold/ checks the rest (types,
 * Biome, synth, the generated unit test).
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaffoldJob } from '../../../../local/scaffold/scaffold-job';
import { copyRepository, type RepositoryCopy } from '../../../support/repository-copy';
import { uniqueStage } from '../../../support/stage';

const run = promisify(execFile);

describe('a scaffolded job under the local runtime', () => {
  let copy: RepositoryCopy;

  beforeAll(() => {
    copy = copyRepository();
    scaffoldJob(copy.root, {
      name: 'notify-seller',
      eventTypes: ['ITEM_SOLD', 'PRODUCT_PUBLISHED'],
    });
  });

  afterAll(() => copy?.remove());

  it('gets its events from the router and settles every job', async () => {
    const stage = uniqueStage('scf');
    const { stdout } = await run(
      process.execPath,
      [
        join(copy.root, 'node_modules/tsx/dist/cli.mjs'),
        'test/integration/local/scaffold/run-scaffolded-job.ts',
        stage,
        'notify-seller',
      ],
      {
        cwd: copy.root,
        // The services' endpoints the global setup put in this process's environment.
        env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result).toEqual({
      routed: 2,
      records: 2,
      succeeded: expect.any(Number),
      failedItems: 0,
      errors: 0,
      dlq: 0,
    });
    expect(result.succeeded).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
