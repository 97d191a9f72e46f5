/**
 * One set of esbuild options for every function: used by the CDK stacks (SluiceFunction runs
 * {@link buildFunction} locally, never Docker) and by the router benchmark, so the measured
 * bundle is the deployed bundle. The AWS SDK is bundled, not taken from Lambda's Node.js
 * runtime, so the code that runs is the code that was tested.
 */
import { join, resolve } from 'node:path';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';
import { lambdaCredentials } from './lambda-credentials';
import { literalSchemaKeys } from './literal-schema-keys';

/**
 * The Node.js major of the Lambda runtime (`FUNCTION_RUNTIME`, nodejs24.x). The tests run on
 * the same major (`engines`, `.ci/ensure-node`), so the code tested is the code deployed.
 */
export const LAMBDA_NODE_MAJOR = 24;

/** esbuild target: the Lambda runtime's Node.js, which the tests run too. */
export const ESBUILD_TARGET = 'node24';

/** Options shared by every esbuild build of a function (deployed, benchmarked, tested). */
export interface SharedBundling {
  readonly minify: true;
  readonly sourcemap: true;
  readonly target: typeof ESBUILD_TARGET;
  readonly define: Record<string, string>;
  /** Nothing external: the AWS SDK v3 is bundled. */
  readonly external: readonly string[];
  readonly mainFields: readonly string[];
  /**
   * {@link literalSchemaKeys}: lets esbuild drop the SDK schemas a function never sends;
   * {@link lambdaCredentials}: the credential chain Lambda needs instead of the SDK default.
   */
  readonly plugins: readonly Plugin[];
}

/**
 * @example
 * ```ts
 * await esbuild.build({ ...sharedBundling('abc123'), bundle: true, platform: 'node', format: 'cjs', entryPoints: [entry] });
 * ```
 */
export function sharedBundling(codeVersion: string): SharedBundling {
  return {
    minify: true,
    sourcemap: true,
    target: ESBUILD_TARGET,
    define: { __SLUICE_CODE_VERSION__: JSON.stringify(codeVersion) },
    external: [],
    // Prefer ES modules so esbuild can tree-shake the SDK and Powertools.
    mainFields: ['module', 'main'],
    plugins: [literalSchemaKeys(), lambdaCredentials()],
  };
}

/**
 * The complete esbuild options of one function bundle: the shared options, bundled CommonJS
 * for Node.js, written to `outfile` (and `outfile.map`).
 *
 * @example
 * ```ts
 * await esbuild.build({ ...functionBuildOptions('functions/router/handler.ts', '/tmp/r.js', 'abc'), metafile: true });
 * ```
 */
export function functionBuildOptions(
  entry: string,
  outfile: string,
  codeVersion: string,
): BuildOptions {
  const { external, mainFields, plugins, ...shared } = sharedBundling(codeVersion);
  return {
    ...shared,
    external: [...external],
    mainFields: [...mainFields],
    plugins: [...plugins],
    entryPoints: [resolve(entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
  };
}

/**
 * Bundles a function's handler module into `outdir` as `index.js` (handler `index.handler`)
 * and `index.js.map`, with {@link functionBuildOptions}; returns esbuild's metafile.
 *
 * @example
 * ```ts
 * await buildFunction('functions/router/handler.ts', 'cdk.out/router', 'abc123');
 * ```
 */
export async function buildFunction(
  entry: string,
  outdir: string,
  codeVersion: string,
): Promise<Metafile> {
  const { build } = await import('esbuild');
  const options = functionBuildOptions(entry, join(outdir, 'index.js'), codeVersion);
  return (await build({ ...options, metafile: true })).metafile;
}
