import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { buildLambdaInit } from '../localstack/init/build';
import { localEndpoints, localPorts } from './endpoints';
import { ensurePluginBuilt } from './localstack-plugin';
import { installLogFile, serviceAsset } from './paths';
import { spawnDetached } from './processes';
import { findPython } from './python';
import { ensurePinnedVenv, type PinnedVenv, pinnedVenvDir } from './python-venv';
import type { ServiceContext, ServiceDefinition } from './service';
import { answersWithin } from './wait';

// LocalStack 4.14.0 from PyPI (localstack-core) on Python 3.13, natively: no Docker. Its
// Lambda functions run as local Node.js processes (our runtime executor plugin), its DynamoDB
// answers from its bundled moto (our provider plugin), its OpenSearch domains are forwarded to
// the local OpenSearch node. See local/localstack/README.md.

/** LocalStack runs on Python 3.13 only (3.11 and 3.12 fail at run time). */
export const LOCALSTACK_PYTHON = '3.13';

const venvOf = (ctx: ServiceContext, python?: string): PinnedVenv => ({
  tool: 'localstack',
  cacheDir: ctx.cacheDir,
  requirements: serviceAsset('localstack', 'requirements.txt'),
  constraints: serviceAsset('localstack', 'constraints.txt'),
  logFile: installLogFile(ctx),
  progress: ctx.progress,
  ...(python ? { python } : {}),
});

/** Where LocalStack keeps everything of this checkout: `.services/localstack/…`. */
export function localstackFolders(stateDir: string) {
  return {
    /** FILESYSTEM_ROOT: its data, cache (certificate) and Lambda code. */
    filesystem: join(stateDir, 'fs'),
    /** TMPDIR: unzipped function code and each environment's /tmp; emptied at start. */
    tmp: join(stateDir, 'tmp'),
    /** One log per Lambda execution environment (the init program's output). */
    lambdaLogs: join(stateDir, 'lambda'),
    /** The bundled init program. */
    lambdaInit: join(stateDir, 'lambda-init'),
  };
}

/**
 * The environment LocalStack runs with: nothing of the caller's AWS variables, only what it
 * needs to run natively (see /work/shared/notes/localstack-native.md) and Sluice's plugins.
 */
export function localstackEnvironment(options: {
  readonly stateDir: string;
  readonly pythonPath: string;
  readonly lambdaInit: string;
  readonly env?: NodeJS.ProcessEnv;
}): NodeJS.ProcessEnv {
  const base = options.env ?? process.env;
  const folders = localstackFolders(options.stateDir);
  const gateway = `127.0.0.1:${localPorts.localstack}`;
  return {
    PATH: base.PATH,
    HOME: base.HOME,
    LANG: base.LANG ?? 'C.UTF-8',
    PYTHONPATH: options.pythonPath,
    GATEWAY_LISTEN: gateway,
    // Queue URLs, function endpoints and domain endpoints use this host, which resolves here
    // (localhost.localstack.cloud does not without DNS).
    LOCALSTACK_HOST: gateway,
    // Not in a container: otherwise it writes to /var/lib/localstack and /tmp/lambda.
    OVERRIDE_IN_DOCKER: '0',
    FILESYSTEM_ROOT: folders.filesystem,
    TMPDIR: folders.tmp,
    DNS_ADDRESS: '0',
    SQS_ENDPOINT_STRATEGY: 'path',
    SKIP_SSL_CERT_DOWNLOAD: '1',
    DISABLE_EVENTS: '1',
    // Lambda without Docker: local/localstack/plugin/sluice_localstack/process_executor.py.
    LAMBDA_RUNTIME_EXECUTOR: 'sluice-process',
    SLUICE_LAMBDA_NODE: process.execPath,
    SLUICE_LAMBDA_INIT: options.lambdaInit,
    SLUICE_LAMBDA_LOG_DIR: folders.lambdaLogs,
    // DynamoDB without DynamoDB Local: sluice_localstack/dynamodb_provider.py.
    PROVIDER_OVERRIDE_DYNAMODB: 'sluice-moto',
    // OpenSearch domains are the local node, reached through LocalStack's gateway.
    OPENSEARCH_CUSTOM_BACKEND: localEndpoints.opensearch,
    OPENSEARCH_ENDPOINT_STRATEGY: 'path',
  };
}

async function prepare(ctx: ServiceContext, python?: string) {
  const venv = await ensurePinnedVenv(venvOf(ctx, python));
  const pythonPath = await ensurePluginBuilt({
    venv,
    stateDir: ctx.stateDir,
    logFile: installLogFile(ctx),
  });
  const { init } = await buildLambdaInit(localstackFolders(ctx.stateDir).lambdaInit);
  return { venv, pythonPath, init };
}

/** Health: LocalStack's own health endpoint answers with its services' states. */
async function healthAnswers(): Promise<boolean> {
  const response = await fetch(`${localEndpoints.localstack}/_localstack/health`);
  const body = (await response.json()) as { services?: unknown };
  return response.ok && typeof body.services === 'object';
}

/**
 * LocalStack 4.14.0 on http://127.0.0.1:4566, opt-in (`npm run services -- up localstack`):
 * state in memory (a restart forgets every stack), files under `.services/localstack/`.
 */
export const localstack: ServiceDefinition = {
  name: 'localstack',
  ports: [localPorts.localstack],
  optIn: true,
  install: async (ctx) => {
    await prepare(ctx, await findPython(LOCALSTACK_PYTHON));
  },
  async start(ctx) {
    const venv = await pinnedVenvDir(venvOf(ctx));
    const { pythonPath, init } = await prepare(ctx);
    const folders = localstackFolders(ctx.stateDir);
    await rm(folders.tmp, { recursive: true, force: true });
    await rm(folders.lambdaLogs, { recursive: true, force: true });
    await Promise.all(
      [folders.filesystem, folders.tmp, folders.lambdaLogs].map((d) =>
        mkdir(d, { recursive: true }),
      ),
    );
    return spawnDetached({
      command: join(venv, 'bin', 'python'),
      args: ['-m', 'localstack.runtime.main'],
      cwd: ctx.stateDir,
      logFile: ctx.logFile,
      env: localstackEnvironment({ stateDir: ctx.stateDir, pythonPath, lambdaInit: init }),
    });
  },
  healthy: () => answersWithin(healthAnswers, 4_000),
};
