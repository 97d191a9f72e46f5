/**
 * bench:index's view of the `_bulk` requests this process makes, from Node's own HTTP
 * diagnostics channels: how many, how long they were out — from the request written to the
 * response read, so the node's work and the client's delay in reading the answer — and how
 * long the client spent between one response and its next request. With one request in
 * flight (the bench's default) the two add up to a side's time, less what comes before its
 * first request and after its last (the first chunk's read, the refresh).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

export interface BulkTimes {
  readonly requests: number;
  /** Summed over the requests: written → response read. */
  readonly outMs: number;
  /** Summed over the requests after the first: previous response read → this one written. */
  readonly betweenMs: number;
}

const STARTED = 'http.client.request.start';
const FINISHED = 'http.client.response.finish';

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
  const onFinished = (message: unknown) => {
    const { request } = message as { request: ClientRequest };
    const written = writtenAt.get(request);
    if (written === undefined) return;
    lastReadAt = performance.now();
    outMs += lastReadAt - written;
  };
  subscribe(STARTED, onStarted);
  subscribe(FINISHED, onFinished);
  return {
    stop: () => {
      unsubscribe(STARTED, onStarted);
      unsubscribe(FINISHED, onFinished);
      return { requests, outMs, betweenMs };
    },
  };
}
