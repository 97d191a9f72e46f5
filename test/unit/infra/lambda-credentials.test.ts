/**
 * The lambda-credentials esbuild plugin: wherever a bundle imports the SDK's default
 * credential chain it gets Sluice's Lambda chain instead, and none of the default chain's
 * providers or the STS and SSO clients they load; the plugin is in the shared options.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { sharedBundling } from '../../../infra/bundling';
import { lambdaCredentials } from '../../../infra/lambda-credentials';

async function inputsOf(plugins: ReturnType<typeof lambdaCredentials>[]): Promise<string[]> {
  const result = await build({
    stdin: {
      contents:
        "import { defaultProvider } from '@aws-sdk/credential-provider-node'; export const p = defaultProvider;",
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    mainFields: ['module', 'main'],
    write: false,
    metafile: true,
    plugins,
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

describe('lambda-credentials esbuild plugin', () => {
  it("bundles Sluice's chain in place of the SDK's default one", async () => {
    const swapped = await inputsOf([lambdaCredentials()]);
    expect(swapped.some((path) => path.endsWith('functions/shared/lambda-credentials.ts'))).toBe(
      true,
    );
    expect(
      swapped.filter((path) => /credential-provider-(node|ini|sso)|nested-clients/.test(path)),
    ).toEqual([]);

    // Without it, the default chain and the clients its sources load are bundled.
    const plain = await inputsOf([]);
    expect(plain.some((path) => path.includes('nested-clients'))).toBe(true);
  });

  it('is one of the shared bundling options', () => {
    expect(sharedBundling('x').plugins.map((p) => p.name)).toContain(lambdaCredentials().name);
  });
});
