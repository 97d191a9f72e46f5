/**
 * One set of esbuild options for every function: used by the CDK stacks (NodejsFunction with local
 * esbuild, never Docker) and by the router benchmark, so the measured bundle is the deployed
 * bundle. The AWS SDK is bundled, not taken from Lambda's Node.js runtime, so the code that runs is
 * the code that was tested.
 */

/**
 * The Node.js major of the Lambda runtime (`FUNCTION_RUNTIME`, nodejs24.x). The tests run on
 * the same major (`engines`, `.ci/ensure-node`), so the code tested is the code deployed.
 */
export const LAMBDA_NODE_MAJOR = 24;

/** esbuild target: the Lambda runtime's Node.js, which the tests run too. */
export const ESBUILD_TARGET = 'node24';

/** Options shared by NodejsFunction bundling and direct esbuild builds. */
export interface SharedBundling {
  readonly minify: true;
  readonly sourcemap: true;
  readonly target: typeof ESBUILD_TARGET;
  readonly define: Record<string, string>;
  /** Nothing external: the AWS SDK v3 is bundled. */
  readonly external: readonly string[];
  readonly mainFields: readonly string[];
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
  };
}
