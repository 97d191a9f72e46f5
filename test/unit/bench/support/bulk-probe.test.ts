/**
 * bench:index's `_bulk` probe, against a real local HTTP server that sends an answer's head at
 * once and its body ANSWER_MS later: the probe counts only `/_bulk` requests made while it
 * watches, times each from written to the answer's last byte (not its head), and the client's
 * time between one answer and its next request; a failed request ends at its error. Bounds
 * hold however busy the machine: a request's `out` lies within the client's own call.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchBulkRequests } from '../../../../bench/support/bulk-probe';

const ANSWER_MS = 40;
/** Loose bounds for gaps, which the test cannot time from outside. */
const SLACK_MS = 1_000;
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((incoming, response) => {
    incoming.resume();
    incoming.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.flushHeaders();
      setTimeout(() => response.end('{"items":[]}'), ANSWER_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/**
 * POSTs to `path` and reads the whole answer (or its error); resolves with the milliseconds
 * from the call to the answer's end — an interval that holds the probe's `out`.
 */
function post(path: string, to = port): Promise<number> {
  const called = performance.now();
  return new Promise((resolve) => {
    const done = () => resolve(performance.now() - called);
    const outgoing = request({ host: '127.0.0.1', port: to, path, method: 'POST' }, (response) => {
      response.resume();
      response.on('end', done);
    });
    outgoing.on('error', done);
    outgoing.end('{"index":{}}\n{}\n');
  });
}

describe('watchBulkRequests', () => {
  it('times /_bulk requests to their answers’ end, and the gaps between them, nothing else', async () => {
    await post('/_bulk'); // before it watches: not counted
    const probe = watchBulkRequests();
    const first = await post('/_bulk?require_alias=true');
    await sleep(20);
    await post('/products/_refresh'); // not a bulk request
    const second = await post('/_bulk');
    const times = probe.stop();
    await post('/_bulk'); // after it stopped: not counted

    expect(times.requests).toBe(2);
    expect(times.outMs).toBeGreaterThanOrEqual(2 * ANSWER_MS - 2);
    // Each request is out within the client's own call: written after it, read before its end.
    expect(times.outMs).toBeLessThanOrEqual(first + second + 1);
    // The gap holds the pause and the refresh between the two bulk requests.
    expect(times.betweenMs).toBeGreaterThanOrEqual(20 + ANSWER_MS - 2);
    expect(times.betweenMs).toBeLessThan(20 + ANSWER_MS + SLACK_MS);
  });

  it('has no gap for a single request, and nothing when none was made', async () => {
    expect(watchBulkRequests().stop()).toEqual({ requests: 0, outMs: 0, betweenMs: 0 });
    const probe = watchBulkRequests();
    await post('/_bulk');
    const times = probe.stop();
    expect(times.requests).toBe(1);
    expect(times.betweenMs).toBe(0);
    expect(times.outMs).toBeGreaterThanOrEqual(ANSWER_MS - 2);
  });

  it('ends a failed request at its error: a timed-out request is out until then', async () => {
    // A node that never answers; the client gives up after TIMEOUT_MS.
    const TIMEOUT_MS = 60;
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    const probe = watchBulkRequests();
    await new Promise<void>((resolve) => {
      const outgoing = request({
        host: '127.0.0.1',
        port: silentPort,
        path: '/_bulk',
        method: 'POST',
      });
      outgoing.setTimeout(TIMEOUT_MS, () => outgoing.destroy(new Error('timed out')));
      outgoing.on('error', () => resolve());
      outgoing.end('{"index":{}}\n{}\n');
    });
    await post('/_bulk');
    const times = probe.stop();
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));

    expect(times.requests).toBe(2);
    expect(times.outMs).toBeGreaterThanOrEqual(TIMEOUT_MS + ANSWER_MS - 2);
    expect(times.betweenMs).toBeLessThan(TIMEOUT_MS);
  });
});
