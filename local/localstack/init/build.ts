/**
 * Bundles the init program (supervisor-main.ts), its handler process (runtime-main.ts) and
 * the handler process's preload (localhost-dns.ts) with esbuild into one folder, as
 * `init.mjs`, `runtime.mjs` and `localhost-dns.mjs`: the sluice-process executor runs them
 * with the host's `node`, without TypeScript tooling.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ESBUILD_TARGET } from '../../../infra/bundling';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * @example
 * ```ts
 * const { init } = await buildLambdaInit('.services/localstack/lambda-init');
 * // SLUICE_LAMBDA_INIT=<init>
 * ```
 */
export async function buildLambdaInit(outDir: string): Promise<{ init: string; runtime: string }> {
  await build({
    entryPoints: {
      init: join(here, 'supervisor-main.ts'),
      runtime: join(here, 'runtime-main.ts'),
      'localhost-dns': join(here, 'localhost-dns.ts'),
    },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: ESBUILD_TARGET,
    sourcemap: true,
    logLevel: 'warning',
  });
  return { init: join(outDir, 'init.mjs'), runtime: join(outDir, 'runtime.mjs') };
}
