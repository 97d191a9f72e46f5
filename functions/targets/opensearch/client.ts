/**
 * The OpenSearch client every worker uses, built from configuration: SigV4-signed for an
 * Amazon OpenSearch Service domain (`es`) or OpenSearch Serverless (`aoss`), plain HTTP for
 * the local node. Build it once at module scope; it keeps its connections alive.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import { type Env, optionalString, requiredString } from '../../shared/env';

/** How requests are authenticated: SigV4 for a managed domain or Serverless, none locally. */
export type OpenSearchMode = 'es' | 'aoss' | 'none';

export interface OpenSearchConfig {
  /** `https://search-….es.amazonaws.com`, or `http://127.0.0.1:9200` locally. */
  readonly url: string;
  readonly mode: OpenSearchMode;
  /** Region for SigV4; required unless `mode` is `none`. */
  readonly region?: string;
  /** Per-request timeout; a timed-out bulk is retried by the job runtime. */
  readonly requestTimeoutMs?: number;
}

export const OPENSEARCH_URL_VARIABLE = 'SLUICE_OPENSEARCH_URL';
export const OPENSEARCH_MODE_VARIABLE = 'SLUICE_OPENSEARCH_MODE';

/**
 * Reads `SLUICE_OPENSEARCH_URL` and `SLUICE_OPENSEARCH_MODE` (`es` | `aoss` | `none`;
 * default `es` for https URLs, `none` otherwise) and `AWS_REGION`.
 */
export function readOpenSearchConfig(env: Env): OpenSearchConfig {
  const url = requiredString(env, OPENSEARCH_URL_VARIABLE);
  const fallback = url.startsWith('https://') ? 'es' : 'none';
  const mode = optionalString(env, OPENSEARCH_MODE_VARIABLE, fallback);
  if (mode !== 'es' && mode !== 'aoss' && mode !== 'none') {
    throw new Error(`${OPENSEARCH_MODE_VARIABLE}="${mode}" must be es, aoss or none`);
  }
  return {
    url,
    mode,
    region: mode === 'none' ? undefined : requiredString(env, 'AWS_REGION'),
  };
}

/** The clients built for OpenSearch Serverless. */
const serverlessClients = new WeakSet<Client>();

/**
 * Whether a client was built for OpenSearch Serverless (`aoss`), whose API is a subset of
 * OpenSearch's: a request option not verified there (filter_path) is left out for it.
 */
export function isServerlessClient(client: Client): boolean {
  return serverlessClients.has(client);
}

/**
 * @example
 * ```ts
 * const client = createOpenSearchClient({ url: 'http://127.0.0.1:9200', mode: 'none' });
 * await client.cluster.health();
 * ```
 */
export function createOpenSearchClient(config: OpenSearchConfig): Client {
  const requestTimeout = config.requestTimeoutMs ?? 30_000;
  // The client's own retries would hide throttling from the job runtime's backoff.
  const common = { node: config.url, requestTimeout, maxRetries: 0 };
  if (config.mode === 'none') return new Client(common);
  if (!config.region) throw new Error(`OpenSearch mode ${config.mode} needs a region`);
  const client = new Client({
    ...common,
    ...AwsSigv4Signer({
      region: config.region,
      service: config.mode,
      getCredentials: defaultProvider(),
    }),
  });
  if (config.mode === 'aoss') serverlessClients.add(client);
  return client;
}

/** {@link createOpenSearchClient} from the environment ({@link readOpenSearchConfig}). */
export function openSearchClientFromEnv(env: Env): Client {
  return createOpenSearchClient(readOpenSearchConfig(env));
}
