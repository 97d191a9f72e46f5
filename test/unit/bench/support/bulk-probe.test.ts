/**
 * bench:index's `_bulk` probe, against a real local HTTP server: it counts only `/_bulk`
 * requests made while it watches, times each from written to answer read, and the client's
 * time between one answer and its next request. Lower bounds only: a timer waits at least
 * its delay, however busy the machine.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchBulkRequests } from '../../../../bench/support/bulk-probe';

const ANSWER_MS = 30;
let server: Server;
let port: number;

beforeAll(async () => {
  // Answers every request after ANSWER_MS, as a node does its work.
  server = createServer((incoming, response) => {
    incoming.resume();
    incoming.on('end', () => setTimeout(() => response.end('{"items":[]}'), ANSWER_MS));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** POSTs to `path` and reads the whole answer. */
function post(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, method: 'POST' }, (response) => {
      response.resume();
      response.on('end', resolve);
    });
    outgoing.on('error', reject);
    outgoing.end('{"index":{}}\n{}\n');
  });
}

describe('watchBulkRequests', () => {
  it('times /_bulk requests and the gaps between them, and nothing else', async () => {
    await post('/_bulk'); // before it watches: not counted
    const probe = watchBulkRequests();
    await post('/_bulk?require_alias=true');
    await sleep(20);
    await post('/products/_refresh'); // not a bulk request
    await post('/_bulk');
    const times = probe.stop();
    await post('/_bulk'); // after it stopped: not counted

    expect(times.requests).toBe(2);
    expect(times.outMs).toBeGreaterThanOrEqual(2 * ANSWER_MS - 2);
    // The gap holds the pause and the refresh between the two bulk requests.
    expect(times.betweenMs).toBeGreaterThanOrEqual(20 + ANSWER_MS - 2);
  });

  it('reports nothing when no bulk request was made', () => {
    expect(watchBulkRequests().stop()).toEqual({ requests: 0, outMs: 0, betweenMs: 0 });
  });
});
