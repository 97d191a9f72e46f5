/**
 * The libraries Lambda's Node.js runtime provides to every function, as far as functions
 * deployed to LocalStack need them: the AWS SDK v3 clients in
 * `local/services/localstack/nodejs-runtime/` (the AWS CDK's provider framework requires
 * client-lambda and client-sfn from the runtime instead of bundling them). Installed with
 * `npm ci` into the download cache, keyed on the lockfile; the sluice-process executor puts
 * the folder on NODE_PATH of every function process, as /var/runtime/node_modules is on
 * Lambda.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCommand } from '../../shared/run-command';
import { serviceAsset } from './paths';

const COMPLETE_MARKER = 'sluice-install-complete';

/**
 * Installs the runtime's libraries unless the cache holds them; returns the `node_modules`
 * folder to put on NODE_PATH.
 *
 * @example
 * ```ts
 * const nodePath = await ensureNodejsRuntimeLibraries({ cacheDir, logFile, progress: console.log });
 * ```
 */
export async function ensureNodejsRuntimeLibraries(options: {
  readonly cacheDir: string;
  readonly logFile: string;
  readonly progress: (message: string) => void;
}): Promise<string> {
  const source = serviceAsset('localstack', 'nodejs-runtime');
  const lock = await readFile(join(source, 'package-lock.json'));
  const hash = createHash('sha256').update(lock).digest('hex').slice(0, 12);
  const prefix = join(options.cacheDir, 'lambda-nodejs-runtime', hash);
  const modules = join(prefix, 'node_modules');
  if (existsSync(join(prefix, COMPLETE_MARKER))) return modules;
  await rm(prefix, { recursive: true, force: true });
  await mkdir(prefix, { recursive: true });
  for (const file of ['package.json', 'package-lock.json']) {
    await copyFile(join(source, file), join(prefix, file));
  }
  options.progress('installing the AWS SDK clients of the Lambda Node.js runtime from npm');
  await runCommand({
    command: 'npm',
    args: ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefix', prefix],
    cwd: prefix,
    logFile: options.logFile,
  });
  await writeFile(join(prefix, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
  return modules;
}
