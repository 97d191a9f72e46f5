import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localEndpoints, localPorts } from './endpoints';
import { installLogFile, serviceAsset } from './paths';
import { spawnDetached } from './processes';
import { runCommand } from './run-command';
import type { ServiceContext, ServiceDefinition } from './service';
import { answersWithin } from './wait';

// moto's server mocks DynamoDB and S3 (and more) on one port. It lives in a Python virtual
// environment in the download cache, keyed on the hash of its pinned requirements.
const requirements = serviceAsset('moto', 'requirements.txt');
const constraints = serviceAsset('moto', 'constraints.txt');

async function venvDir(ctx: ServiceContext): Promise<string> {
  const hash = createHash('sha256')
    .update(await readFile(requirements))
    .update(await readFile(constraints))
    .digest('hex')
    .slice(0, 12);
  return join(ctx.cacheDir, 'moto', hash, 'venv');
}

/** Marks a finished install: a venv cannot be built elsewhere and renamed (absolute paths). */
const completeMarker = 'sluice-install-complete';

async function installVenv(ctx: ServiceContext): Promise<void> {
  const venv = await venvDir(ctx);
  if (existsSync(join(venv, completeMarker))) return;
  await rm(venv, { recursive: true, force: true });
  const started = Date.now();
  const python = process.env.SLUICE_PYTHON ?? 'python3';
  ctx.progress(`creating a Python virtual environment with ${python}`);
  await runCommand({ command: python, args: ['-m', 'venv', venv], logFile: installLogFile(ctx) });
  ctx.progress('downloading moto[server] and its dependencies from PyPI');
  await runCommand({
    command: join(venv, 'bin', 'pip'),
    args: [
      'install',
      '--disable-pip-version-check',
      '--progress-bar',
      'off',
      '-r',
      requirements,
      '-c',
      constraints,
    ],
    logFile: installLogFile(ctx),
    onLine: (line) => {
      // "  Downloading moto-5.2.5-py3-none-any.whl (5.4 MB)"; skip the metadata-only fetches.
      const wheel = /^\s*Downloading (\S+\.(?:whl|tar\.gz)) \(([^)]*)\)/.exec(line);
      if (wheel) ctx.progress(`  ${wheel[1]} (${wheel[2]})`);
    },
  });
  await writeFile(join(venv, completeMarker), `${new Date().toISOString()}\n`);
  ctx.progress(`moto ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${venv}`);
}

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

/** moto 5.x server on http://127.0.0.1:5000: DynamoDB and S3, state in memory. */
export const moto: ServiceDefinition = {
  name: 'moto',
  ports: [localPorts.moto],
  memoryMiB: 300,
  install: installVenv,
  async start(ctx) {
    const venv = await venvDir(ctx);
    return spawnDetached({
      command: join(venv, 'bin', 'moto_server'),
      args: ['-H', '127.0.0.1', '-p', String(localPorts.moto)],
      cwd: ctx.stateDir,
      logFile: ctx.logFile,
    });
  },
  healthy: () => answersWithin(listTablesAnswers, 4_000),
};
