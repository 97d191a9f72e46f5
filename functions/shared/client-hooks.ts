/**
 * A hook every AWS client a function builds at module scope passes through, so a process
 * that runs the handlers in-process (`npm run bench:cost`) can add middleware — a request
 * meter — before the client's first request. Nothing registers one in Lambda: there it costs
 * one empty loop per client, once per container.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';

export type FunctionAwsClient = DynamoDBClient | S3Client | SQSClient;
export type ClientHook = (client: FunctionAwsClient) => void;

const hooks = new Set<ClientHook>();

/**
 * Calls `hook` for every client built from now on; returns the function that removes it.
 *
 * @example
 * ```ts
 * const built: FunctionAwsClient[] = [];
 * const remove = onFunctionClient((client) => built.push(client)); // e.g. add a request meter
 * const { handler } = await import('../router/handler'); // its clients pass the hook
 * remove();
 * ```
 */
export function onFunctionClient(hook: ClientHook): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/**
 * @example
 * ```ts
 * const sqs = functionClient(new SQSClient({}));
 * ```
 */
export function functionClient<C extends FunctionAwsClient>(client: C): C {
  for (const hook of hooks) hook(client);
  return client;
}
