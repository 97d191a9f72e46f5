import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ensurePinnedVenv, type PinnedVenv, pinnedVenvDir } from '../../shared/python-venv';
import { localEndpoints, localPorts } from './endpoints';
import { installLogFile, serviceAsset } from './paths';
import { spawnDetached } from './processes';
import type { ServiceContext, ServiceDefinition } from './service';
import { answersWithin } from './wait';

// moto's server mocks DynamoDB and S3 (and more) on one port. It lives in a Python virtual
// environment in the download cache, keyed on the hash of its pinned requirements. It is
// served by moto/serve.py, one request at a time: moto's own server runs requests side by
// side without a lock, which loses ADD increments and lets two conditional writes both win.
const venvOf = (ctx: ServiceContext): PinnedVenv => ({
  tool: 'moto',
  cacheDir: ctx.cacheDir,
  requirements: serviceAsset('moto', 'requirements.txt'),
  constraints: serviceAsset('moto', 'constraints.txt'),
  logFile: installLogFile(ctx),
  progress: ctx.progress,
});

/**
 * moto's address-space ceiling: the tests' stages take a few hundred MiB at most (they are
 * removed after each run); past it a request fails instead of the machine swapping.
 */
const MAX_MEMORY_MIB = 4096;

/** Health: a real DynamoDB ListTables call with the AWS SDK, straight at moto. */
async function listTablesAnswers(): Promise<boolean> {
  const dynamodb = new DynamoDBClient({
    endpoint: localEndpoints.dynamodb,
    region: 'us-east-1',
    credentials: { accessKeyId: 'sluice-local', secretAccessKey: 'sluice-local' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 3_000 },
  });
  try {
    await dynamodb.send(new ListTablesCommand({}));
    return true;
  } finally {
    dynamodb.destroy();
  }
}

/**
 * moto 5.x on http://127.0.0.1:5000, linearizable: DynamoDB and S3, state in memory, saved
 * on a clean stop and restored at start.
 */
export const moto: ServiceDefinition = {
  name: 'moto',
  ports: [localPorts.moto],
  memoryLimitMiB: MAX_MEMORY_MIB,
  install: async (ctx) => {
    await ensurePinnedVenv(venvOf(ctx));
  },
  async start(ctx) {
    const venv = await pinnedVenvDir(venvOf(ctx));
    return spawnDetached({
      // Not moto_server: our launcher serves moto one request at a time (see serve.py).
      command: join(venv, 'bin', 'python'),
      args: [
        serviceAsset('moto', 'serve.py'),
        '--host',
        '127.0.0.1',
        '--port',
        String(localPorts.moto),
        // Tables and objects survive a clean restart (services down / up).
        '--state',
        join(ctx.stateDir, 'state.pickle'),
        '--max-memory-mib',
        String(MAX_MEMORY_MIB),
      ],
      cwd: ctx.stateDir,
      logFile: ctx.logFile,
      // A thread per connection, each with a malloc arena of its own, fragments memory that
      // is never given back (moto reached 19.8 GiB here); two arenas keep it to what it holds.
      env: { ...process.env, MALLOC_ARENA_MAX: '2' },
    });
  },
  healthy: () => answersWithin(listTablesAnswers, 4_000),
};
