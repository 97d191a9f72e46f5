import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { runCommand } from '../../shared/run-command';
import { installLogFile } from './paths';
import type { ServiceContext } from './service';

// Maven's local repository is not safe for concurrent writers: run one Maven at a time.
let queue: Promise<unknown> = Promise.resolve();

/**
 * The folder of jars for a pom: `<cache>/<name>/<hash of the pom>/lib`. Changing a version
 * in the pom changes the hash, so stale jars are never mixed with new ones.
 */
export async function mavenLibDir(ctx: ServiceContext, name: string, pom: string): Promise<string> {
  const hash = createHash('sha256')
    .update(await readFile(pom))
    .digest('hex')
    .slice(0, 12);
  return join(ctx.cacheDir, name, hash, 'lib');
}

/**
 * Fetches a pom's runtime dependencies from Maven Central into `libDir` with
 * `mvn dependency:copy-dependencies`, unless `libDir` already exists. Jars land in a
 * temporary folder that is renamed when complete, so an interrupted download is redone.
 * Each downloaded jar is reported through `ctx.progress`.
 */
export function mavenCopyDependencies(
  ctx: ServiceContext,
  pom: string,
  libDir: string,
): Promise<void> {
  const run = queue.then(() => copyDependencies(ctx, pom, libDir));
  queue = run.catch(() => undefined);
  return run;
}

async function copyDependencies(ctx: ServiceContext, pom: string, libDir: string): Promise<void> {
  if (existsSync(libDir)) return;
  const partial = `${libDir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const started = Date.now();
  ctx.progress(`downloading jars for ${basename(join(pom, '..'))} from Maven Central`);
  await runCommand({
    command: 'mvn',
    args: [
      '-B',
      '-f',
      pom,
      `-Dmaven.repo.local=${join(ctx.cacheDir, 'maven-repository')}`,
      `-DlibDir=${partial}`,
      'dependency:copy-dependencies',
    ],
    logFile: installLogFile(ctx),
    onLine: (line) => {
      // "Downloaded from central: https://.../kafka-clients-4.1.2.jar (12 MB at 9 MB/s)"
      // Split, not a regular expression: no backtracking over a long line.
      const at = line.indexOf('Downloaded from ');
      if (at < 0) return;
      const [, url = '', ...size] = line.slice(at + 'Downloaded from '.length).split(' ');
      const file = url.slice(url.lastIndexOf('/') + 1);
      if (file.endsWith('.jar')) ctx.progress(`  ${file} ${size.join(' ')}`);
    },
  });
  const count = (await readdir(partial)).length;
  await rename(partial, libDir);
  ctx.progress(`${count} jars ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${libDir}`);
}
