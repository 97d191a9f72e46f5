/**
 * bench:index's view of the `_bulk` requests this process makes (any client; paths starting
 * `/_bulk`, which both sides use), from Node's own HTTP diagnostics channels: how many, how
 * long they were out — from the request written to the last byte of the answer read, so the
 * node's work and the client's delay in reading the answer — and how long the client spent
 * between one answer and its next request. With one request in flight (the bench's default)
 * the two add up to a side's time, less what comes before its first request and after its
 * last; with more, the times overlap. A request that fails ends when its error is reported.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';

export interface BulkTimes {
  readonly requests: number;
  /** Summed over the requests: written → answer read to its end. */
  readonly outMs: number;
  /** Summed over the requests after the first: the previous answer read → this one written. */
  readonly betweenMs: number;
}

const STARTED = 'http.client.request.start';
// Published once the answer's head is parsed, before its body is read.
const ANSWERED = 'http.client.response.finish';
const FAILED = 'http.client.request.error';

/**
 * Watches until `stop()`, which returns what it saw.
 *
 * @example
 * ```ts
 * const probe = watchBulkRequests();
 * await client.transport.request({ method: 'POST', path: '/_bulk', bulkBody }); // an OpenSearch Client
 * const { requests, outMs, betweenMs } = probe.stop(); // 1, the request's time, 0
 * ```
 */
export function watchBulkRequests(): { stop(): BulkTimes } {
  const writtenAt = new WeakMap<ClientRequest, number>();
  let requests = 0;
  let outMs = 0;
  let betweenMs = 0;
  let lastReadAt: number | undefined;
  // Node publishes the start once the request is written (ClientRequest#_finish).
  const onStarted = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    if (!request.path.startsWith('/_bulk')) return;
    const now = performance.now();
    requests++;
    writtenAt.set(request, now);
    if (lastReadAt !== undefined) betweenMs += now - lastReadAt;
  };
  const ended = (request: ClientRequest) => {
    const written = writtenAt.get(request);
    if (written === undefined) return;
    writtenAt.delete(request);
    lastReadAt = performance.now();
    outMs += lastReadAt - written;
  };
  const onAnswered = (message: unknown) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    if (!writtenAt.has(request)) return;
    // 'close' follows the body's end (or its abort). Listening for it neither starts the
    // body flowing nor handles its errors: the client reads the answer as it would.
    response.once('close', () => ended(request));
  };
  const onFailed = (message: unknown) => ended((message as { request: ClientRequest }).request);
  subscribe(STARTED, onStarted);
  subscribe(ANSWERED, onAnswered);
  subscribe(FAILED, onFailed);
  return {
    stop: () => {
      unsubscribe(STARTED, onStarted);
      unsubscribe(ANSWERED, onAnswered);
      unsubscribe(FAILED, onFailed);
      return { requests, outMs, betweenMs };
    },
  };
}
