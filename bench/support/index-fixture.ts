/**
 * bench:index's input, built once and untimed: seeded catalog rows, the SQS batches of
 * index-product jobs the event source mapping would deliver, and — for the raw baseline —
 * the same documents as ready-made `_bulk` bodies at the same chunk size.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { type JobMessage, jobIdOf } from '../../functions/queues/job-message';
import { JobPacker } from '../../functions/queues/job-pack';
import type { OutgoingMessage } from '../../functions/queues/sqs-batch-sender';
import type { BulkWrite } from '../../functions/targets/opensearch/bulk';
import { parseCatalogItem } from '../../functions/workers/index-product/catalog-row';
import type { ProductEvent } from '../../functions/workers/index-product/index-products';
import { indexProductJob } from '../../functions/workers/index-product/job';
import { documentForRow } from '../../functions/workers/index-product/product-document';
import { type CatalogRow, catalogItem, catalogRowFor } from '../../local/shop/catalog-rows';
import { seededRandom } from '../../local/shop/seeded-random';

type Item = Record<string, AttributeValue>;

export interface IndexFixture {
  readonly rows: readonly CatalogRow[];
  /** The rows as the catalog table stores them, by product id. */
  readonly items: ReadonlyMap<string, Item>;
  /** One SQS event per batch of `batchSize` jobs. */
  readonly batches: readonly SQSEvent[];
  /**
   * The raw baseline: the same documents in the same chunks as the pipeline's bulk
   * requests (each batch cut into chunks of `chunkSize`), as writes to `rawAlias`
   * (serialised in the timed part, as any client sending them would).
   */
  readonly rawChunks: ReadonlyArray<readonly BulkWrite[]>;
}

function jobMessage(row: CatalogRow, offset: number): JobMessage<ProductEvent> {
  const event: ProductEvent = {
    specversion: '1.0',
    id: `bench-${row.productId}-${row.version}`,
    source: 'urn:shop:catalog',
    type: 'PRODUCT_PUBLISHED',
    time: row.updatedAt,
    dataversion: 1,
    data: { productId: row.productId, catalogVersion: row.version },
  };
  return {
    kind: 'sluice.job',
    v: 1,
    jobId: jobIdOf(event.source, event.id, 'index-product'),
    job: 'index-product',
    enqueuedAt: row.updatedAt,
    routerVersion: 'bench',
    provenance: {
      topic: 'catalog.events',
      partition: offset % 6,
      offset,
      timestamp: Date.parse(row.updatedAt),
      key: row.productId,
    },
    event,
  };
}

/**
 * The SQS event of a batch of job messages as the router would enqueue them: packed
 * (index-product's `jobsPerMessage`, up to 64 KB a message), a record per pack.
 */
function sqsEvent(messages: readonly JobMessage[], first: number): SQSEvent {
  const bodies: string[] = [];
  const packer = new JobPacker<OutgoingMessage>(
    indexProductJob.settings.jobsPerMessage ?? 1,
    (message) => bodies.push(message.body),
  );
  for (const message of messages) {
    const body = JSON.stringify(message);
    packer.add({ queueUrl: 'bench', body, bytes: Buffer.byteLength(body) });
  }
  packer.flush();
  return {
    Records: bodies.map((body, k) => ({
      messageId: `bench-${first + k}`,
      receiptHandle: `bench-receipt-${first + k}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '0',
        SenderId: 'bench',
        ApproximateFirstReceiveTimestamp: '0',
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:sluice-bench-job-index-product',
      awsRegion: 'eu-west-1',
    })),
  };
}

/**
 * @example
 * ```ts
 * const fixture = indexFixture(5_000, 1_000, 100, 'sluice-benchr-products');
 * fixture.batches.length; // 5
 * fixture.rawChunks.length; // 50
 * ```
 */
export function indexFixture(
  docs: number,
  batchSize: number,
  chunkSize: number,
  rawAlias: string,
): IndexFixture {
  const random = seededRandom(20_261_128);
  const rows = Array.from({ length: docs }, (_, i) =>
    catalogRowFor(
      `bench-${String(i).padStart(6, '0')}`,
      1 + Math.floor(random() * 5),
      'PUBLISHED',
      new Date(Date.UTC(2026, 10, 28, 10, 0, 0, i)).toISOString(),
      random,
    ),
  );
  const items = new Map(rows.map((row) => [row.productId, catalogItem(row)]));
  const batches: SQSEvent[] = [];
  const rawChunks: BulkWrite[][] = [];
  const indexedAt = new Date(Date.UTC(2026, 10, 28, 12)).toISOString();
  for (let first = 0; first < docs; first += batchSize) {
    const chunk = rows.slice(first, first + batchSize);
    batches.push(
      sqsEvent(
        chunk.map((row, k) => jobMessage(row, first + k)),
        first,
      ),
    );
    const writes = chunk.map((row): BulkWrite => {
      const { productId, version, document } = documentForRow(
        parseCatalogItem(catalogItem(row)),
        indexedAt,
      );
      return { operation: 'index', index: rawAlias, id: productId, version, document };
    });
    for (let start = 0; start < writes.length; start += chunkSize) {
      rawChunks.push(writes.slice(start, start + chunkSize));
    }
  }
  return { rows, items, batches, rawChunks };
}
