import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePinnedVenv, type PinnedVenv, pinnedVenvDir } from '../../shared/python-venv';
import { runCommand } from '../../shared/run-command';
import { buildLambdaInit } from '../localstack/init/build';
import { localEndpoints, localPorts } from './endpoints';
import { ensureNodejsRuntimeLibraries } from './localstack-nodejs-runtime';
import { ensurePluginBuilt } from './localstack-plugin';
import { installLogFile, serviceAsset } from './paths';
import { spawnDetached } from './processes';
import { findPython } from './python';
import type { ServiceContext, ServiceDefinition } from './service';
import { answersWithin } from './wait';

// LocalStack 4.14.0 from PyPI (localstack-core) on Python 3.13, natively: no Docker. Its
// Lambda functions run as local Node.js processes (our runtime executor plugin), its DynamoDB
// answers from its bundled moto (our provider plugin), its OpenSearch domains are forwarded to
// the local OpenSearch node. See local/localstack/README.md.

/** LocalStack runs on Python 3.13 only (3.11 and 3.12 fail at run time). */
export const LOCALSTACK_PYTHON = '3.13';

/** The region stages are deployed to on LocalStack (its certificate names it). */
export const LOCALSTACK_REGION = 'us-east-1';

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
    /** CUSTOM_SSL_CERT_PATH: key and certificate, made once by make_certificate.py. */
    certificate: join(stateDir, 'certificate.pem'),
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
  /** NODE_PATH of function processes: the libraries Lambda's Node.js runtime provides. */
  readonly lambdaNodePath: string;
  readonly env?: NodeJS.ProcessEnv;
}): NodeJS.ProcessEnv {
  const base = options.env ?? process.env;
  const folders = localstackFolders(options.stateDir);
  return {
    PATH: base.PATH,
    HOME: base.HOME,
    LANG: base.LANG ?? 'C.UTF-8',
    PYTHONPATH: options.pythonPath,
    // 443 too, as LocalStack's container does: CloudFormation custom resources answer to an
    // https://localhost/… response URL, and the CDK's provider framework drops its port.
    GATEWAY_LISTEN: `127.0.0.1:${localPorts.localstack},127.0.0.1:${localPorts.localstackHttps}`,
    // The host in queue URLs, domain endpoints and AWS::URLSuffix: `localhost`, which
    // resolves without DNS (localhost.localstack.cloud does not here); function processes
    // resolve names under it too (init/localhost-dns.ts), and the certificate covers them.
    LOCALSTACK_HOST: `localhost:${localPorts.localstack}`,
    // Not in a container: otherwise it writes to /var/lib/localstack and /tmp/lambda.
    OVERRIDE_IN_DOCKER: '0',
    FILESYSTEM_ROOT: folders.filesystem,
    TMPDIR: folders.tmp,
    DNS_ADDRESS: '0',
    SQS_ENDPOINT_STRATEGY: 'path',
    SKIP_SSL_CERT_DOWNLOAD: '1',
    CUSTOM_SSL_CERT_PATH: folders.certificate,
    DISABLE_EVENTS: '1',
    // Lambda without Docker: local/localstack/plugin/sluice_localstack/process_executor.py.
    LAMBDA_RUNTIME_EXECUTOR: 'sluice-process',
    // LocalStack gives an environment 20 s to report ready; a Node.js cold start of a large
    // bundle on a busy 2-core machine has taken longer.
    LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT: '60',
    SLUICE_LAMBDA_NODE: process.execPath,
    SLUICE_LAMBDA_INIT: options.lambdaInit,
    SLUICE_LAMBDA_LOG_DIR: folders.lambdaLogs,
    SLUICE_LAMBDA_NODE_PATH: options.lambdaNodePath,
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
  const folders = localstackFolders(ctx.stateDir);
  if (!existsSync(folders.certificate)) {
    await runCommand({
      command: join(venv, 'bin', 'python'),
      args: [
        serviceAsset('localstack', 'make_certificate.py'),
        folders.certificate,
        LOCALSTACK_REGION,
      ],
      logFile: installLogFile(ctx),
    });
  }
  const { init } = await buildLambdaInit(folders.lambdaInit);
  const nodePath = await ensureNodejsRuntimeLibraries({
    cacheDir: ctx.cacheDir,
    logFile: installLogFile(ctx),
    progress: ctx.progress,
  });
  return { venv, pythonPath, init, nodePath };
}

/**
 * Fails with what to do when this user may not listen on port 443 (root, or
 * net.ipv4.ip_unprivileged_port_start ≤ 443, may).
 */
async function assertMayListenOnHttpsPort(): Promise<void> {
  if (process.getuid?.() === 0) return;
  const start = await readFile('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').catch(
    () => '1024',
  );
  if (Number(start) <= localPorts.localstackHttps) return;
  throw new Error(
    `LocalStack must also listen on port ${localPorts.localstackHttps} (CloudFormation custom resources answer to https://localhost/…), which this user may not: run \`sudo sysctl net.ipv4.ip_unprivileged_port_start=${localPorts.localstackHttps}\` (or run as root)`,
  );
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
  ports: [localPorts.localstack, localPorts.localstackHttps],
  optIn: true,
  install: async (ctx) => {
    await prepare(ctx, await findPython(LOCALSTACK_PYTHON));
  },
  async start(ctx) {
    await assertMayListenOnHttpsPort();
    const venv = await pinnedVenvDir(venvOf(ctx));
    const { pythonPath, init, nodePath } = await prepare(ctx);
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
      env: localstackEnvironment({
        stateDir: ctx.stateDir,
        pythonPath,
        lambdaInit: init,
        lambdaNodePath: nodePath,
      }),
    });
  },
  healthy: () => answersWithin(healthAnswers, 4_000),
};
