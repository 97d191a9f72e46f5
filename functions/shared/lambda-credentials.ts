/**
 * The credential chain of a function's bundle, in place of the SDK's default
 * (`@aws-sdk/credential-provider-node`, swapped at bundling by infra/lambda-credentials.ts).
 * Lambda gives a function its role's credentials in environment variables
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); container credentials
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI or _RELATIVE_URI) are read when those are set instead.
 * Profiles, SSO, web identity, process and EC2 instance credentials never apply in Lambda:
 * the default chain's clients for them (STS, SSO, SSO-OIDC, sign-in) were ~80 kB of every
 * bundle. The SDK memoizes and refreshes what this returns, as it does the default's.
 *
 * @example
 * ```ts
 * const credentials = defaultProvider({})();
 * ```
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { fromHttp } from '@aws-sdk/credential-provider-http';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** What the SDK's clients pass the default provider (a logger among other settings). */
type ProviderInit = Parameters<typeof fromEnv>[0] & Parameters<typeof fromHttp>[0];

const CONTAINER_VARIABLES = [
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
] as const;

/** Same name and shape as `@aws-sdk/credential-provider-node`'s, which the clients import. */
export function defaultProvider(init: ProviderInit = {}): AwsCredentialIdentityProvider {
  const env = fromEnv(init);
  if (!CONTAINER_VARIABLES.some((name) => process.env[name])) return env;
  const container = fromHttp(init);
  return async (properties) => {
    try {
      return await env(properties);
    } catch {
      return container(properties);
    }
  };
}
