/**
 * LocalStack's executor protocol, as its Go `lambda-runtime-init` speaks it inside a Lambda
 * container (`localstack/services/lambda_/invocation/executor_endpoint.py` in 4.14): the init
 * program reports ready (or a startup error) once, receives each invocation as `POST /invoke`,
 * and answers each with its logs and then its response or error.
 */

/** The body of LocalStack's `POST /invoke` (execution_environment.py, `invoke`). */
export interface InvokeRequest {
  readonly 'invoke-id': string;
  readonly 'invoked-function-arn': string;
  /** The event, as the JSON text the caller sent. */
  readonly payload: string;
  readonly 'trace-id'?: string;
}

/** A Lambda error document, as AWS returns it with `FunctionError`. */
export interface ErrorDocument {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly stackTrace?: readonly string[];
}

/** Where the init program reports to: `LOCALSTACK_RUNTIME_ENDPOINT` and `LOCALSTACK_RUNTIME_ID`. */
export interface RuntimeEndpoint {
  /** e.g. `http://127.0.0.1:4566/_localstack_lambda/<executor id>`, no trailing slash. */
  readonly base: string;
  readonly runtimeId: string;
}

/** The callback URLs of one execution environment. */
export const callbackUrls = {
  ready: (e: RuntimeEndpoint) => `${e.base}/status/${e.runtimeId}/ready`,
  startupError: (e: RuntimeEndpoint) => `${e.base}/status/${e.runtimeId}/error`,
  logs: (e: RuntimeEndpoint, requestId: string) => `${e.base}/invocations/${requestId}/logs`,
  response: (e: RuntimeEndpoint, requestId: string) =>
    `${e.base}/invocations/${requestId}/response`,
  error: (e: RuntimeEndpoint, requestId: string) => `${e.base}/invocations/${requestId}/error`,
} as const;

/**
 * Reads an `/invoke` body; throws on anything that is not one.
 *
 * @example
 * ```ts
 * parseInvokeRequest('{"invoke-id":"r1","invoked-function-arn":"arn:…","payload":"{}"}');
 * ```
 */
export function parseInvokeRequest(text: string): InvokeRequest {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null) throw new Error('invoke body is not an object');
  const record = value as Record<string, unknown>;
  for (const field of ['invoke-id', 'invoked-function-arn', 'payload'] as const) {
    if (typeof record[field] !== 'string') throw new Error(`invoke body lacks "${field}"`);
  }
  return value as InvokeRequest;
}

/**
 * POSTs one callback to LocalStack, retrying for about 3 s while it cannot connect. LocalStack
 * answers 202; any other status is thrown.
 *
 * @example
 * ```ts
 * await postCallback(callbackUrls.ready(endpoint), '');
 * ```
 */
export async function postCallback(url: string, body: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
    } catch (error) {
      // Not connected: LocalStack may be busy; give up after about 3 s.
      if (attempt >= 4) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
      continue;
    }
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    return;
  }
}
