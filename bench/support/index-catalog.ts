/**
 * bench:index's default catalog: an HTTP endpoint that speaks DynamoDB's JSON protocol for
 * BatchGetItem and answers from memory, in its own worker thread — as DynamoDB runs
 * elsewhere, its work is not charged to the pipeline's event loop, and it answers from items
 * serialised up front, taking as little of the machine's CPU as it can. The worker's real
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
  close(): Promise<void>;
}

// Plain JavaScript: the worker runs without the TypeScript loader.
const SERVER = `
const { createServer } = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
// Each item is serialised once, up front: answering costs string concatenation only.
const tables = new Map();
for (const [table, rows] of workerData.tables) {
  const serialised = new Map();
  for (const [id, item] of rows) serialised.set(id, JSON.stringify(item));
  tables.set(table, serialised);
}
const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const reply = (status, body) => {
      response.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(body);
    };
    const target = request.headers['x-amz-target'];
    if (target !== 'DynamoDB_20120810.BatchGetItem') {
      reply(400, JSON.stringify({
        __type: 'com.amazon.coral.validate#ValidationException',
        message: 'bench catalog answers BatchGetItem only, not ' + target,
      }));
      return;
    }
    const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
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
    reply(200, '{"Responses":{' + responses.join(',') + '},"UnprocessedKeys":{}}');
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
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await worker.terminate();
    },
  };
}
