/**
 * bench:index's default catalog: an HTTP endpoint that speaks DynamoDB's JSON protocol for
 * BatchGetItem and answers from memory, in its own worker thread — as DynamoDB runs
 * elsewhere, its work is not charged to the pipeline's event loop, and it answers from items
 * serialised up front, taking as little of the machine's CPU as it can (it still shares the
 * machine's cores with the pipeline and OpenSearch; bench:index prints how long it was busy:
 * about 20 ms a round, down from 30–40 ms when it answered through node:http). The worker's real
 * DynamoDBClient talks to it over real HTTP (signing, serialisation, parsing and all), so
 * the pipeline pays what a DynamoDB read costs on the client side, without measuring moto,
 * whose ~1.1 ms per key (a BatchGetItem of 100 keys takes ~110 ms, against ~6 ms for a bulk
 * of 100 documents) would make this a benchmark of moto. `--catalog moto` measures that.
 */
import { Worker } from 'node:worker_threads';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

export interface MemoryCatalog {
  /** `http://127.0.0.1:<port>`, for AWS_ENDPOINT_URL_DYNAMODB. */
  readonly url: string;
  /** Milliseconds its thread has been busy so far (its event loop's active time). */
  busyMs(): number;
  close(): Promise<void>;
}

// Plain JavaScript: the worker runs without the TypeScript loader. HTTP/1.1 is spoken by
// hand over a TCP socket — requests with a Content-Length, answers kept alive, as the SDK's
// client sends and expects them: node:http's server took about 0.5 ms of CPU per request, on
// the cores the pipeline and OpenSearch share, which DynamoDB's servers would not take.
const SERVER = `
const { createServer } = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
// Each item is serialised once, up front, and each answer once per distinct request: the
// bench sends the same chunks every round.
const tables = new Map();
for (const [table, rows] of workerData.tables) {
  const serialised = new Map();
  for (const [id, item] of rows) serialised.set(id, JSON.stringify(item));
  tables.set(table, serialised);
}
const answers = new Map();
function answer(target, body) {
  if (target !== 'DynamoDB_20120810.BatchGetItem') {
    return [400, JSON.stringify({
      __type: 'com.amazon.coral.validate#ValidationException',
      message: 'bench catalog answers BatchGetItem only, not ' + target,
    })];
  }
  const known = answers.get(body);
  if (known) return [200, known];
  const input = JSON.parse(body);
  const responses = [];
  for (const [table, request] of Object.entries(input.RequestItems || {})) {
    const rows = tables.get(table);
    const found = [];
    for (const key of request.Keys || []) {
      const item = rows && rows.get(key.productId && key.productId.S);
      if (item) found.push(item);
    }
    responses.push(JSON.stringify(table) + ':[' + found.join(',') + ']');
  }
  const reply = '{"Responses":{' + responses.join(',') + '},"UnprocessedKeys":{}}';
  answers.set(body, reply);
  return [200, reply];
}
// A header's value, its name given in lower case (names are case-insensitive, values not).
function header(head, name) {
  const at = head.toLowerCase().indexOf('\\r\\n' + name + ':');
  if (at < 0) return undefined;
  const end = head.indexOf('\\r\\n', at + 2);
  return head.slice(at + name.length + 3, end < 0 ? undefined : end).trim();
}
const server = createServer((socket) => {
  let buffered = Buffer.alloc(0);
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    for (;;) {
      const headEnd = buffered.indexOf('\\r\\n\\r\\n');
      if (headEnd < 0) return;
      const head = buffered.toString('latin1', 0, headEnd);
      const length = Number(header(head, 'content-length') || 0);
      const bodyEnd = headEnd + 4 + length;
      if (buffered.length < bodyEnd) return;
      const body = buffered.toString('utf8', headEnd + 4, bodyEnd);
      buffered = buffered.subarray(bodyEnd);
      const [status, payload] = answer(header(head, 'x-amz-target'), body);
      socket.write(
        'HTTP/1.1 ' + status + (status === 200 ? ' OK' : ' Bad Request') + '\\r\\n' +
          'content-type: application/x-amz-json-1.0\\r\\n' +
          'content-length: ' + Buffer.byteLength(payload) + '\\r\\n' +
          'connection: keep-alive\\r\\n\\r\\n' + payload,
      );
    }
  });
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

/**
 * @param tables table name → items by product id
 * @example
 * ```ts
 * const catalog = await startMemoryCatalog(new Map([['sluice-b-catalog', items]]));
 * process.env.AWS_ENDPOINT_URL_DYNAMODB = catalog.url;
 * ```
 */
export async function startMemoryCatalog(
  tables: ReadonlyMap<string, ReadonlyMap<string, Item>>,
): Promise<MemoryCatalog> {
  const worker = new Worker(SERVER, { eval: true, workerData: { tables } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    busyMs: () => worker.performance.eventLoopUtilization().active,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await worker.terminate();
    },
  };
}
