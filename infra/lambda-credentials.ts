/**
 * An esbuild plugin that bundles functions/shared/lambda-credentials.ts wherever the AWS
 * SDK's clients import their default credential chain (`@aws-sdk/credential-provider-node`):
 * in Lambda credentials come from the environment, and the default chain's other sources
 * bring the STS, SSO and sign-in clients into every bundle (~80 kB of the router's).
 *
 * @example
 * ```ts
 * await esbuild.build({ entryPoints: ['functions/router/handler.ts'], bundle: true, plugins: [lambdaCredentials()] });
 * ```
 */
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';

const PROVIDER = fileURLToPath(
  new URL('../functions/shared/lambda-credentials.ts', import.meta.url),
);

export function lambdaCredentials(): Plugin {
  return {
    name: 'sluice-lambda-credentials',
    setup(build) {
      build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
        path: PROVIDER,
      }));
    },
  };
}
