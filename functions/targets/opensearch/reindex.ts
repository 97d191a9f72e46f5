/**
 * Moving an alias to a new index version without downtime:
 *
 * 1. create the new index (the index template gives it the new mappings);
 * 2. copy every document from the old index with its version (`version_type: external`),
 *    then refresh, so the new index answers searches as fully as the old one;
 * 3. move the alias in one atomic `_aliases` call: from then on reads and writes use the new
 *    index, and readers never see an empty or missing alias;
 * 4. put a write block on the old index with the Blocks API, which returns only once every
 *    in-flight write to it has completed (OpenSearch *Blocks* API, since 1.0). A write that
 *    resolved the alias before the move and had not run yet is refused (HTTP 403
 *    `cluster_block_exception`, retried as push-back) and lands in the new index on its retry;
 *    without the block such a write could reach the old index after the catch-up copy read
 *    it, and be lost (seen: 359 of 360 documents under load);
 * 5. copy again, to catch writes that reached the old index between 2 and 4. External
 *    versions make this safe: a document already as new in the new index is a conflict
 *    (skipped), so a catch-up copy never overwrites a newer write.
 *
 * The copy is done here (scroll + bulk) rather than with `_reindex`, which needs the reindex
 * module (absent from the local node) and is not offered by OpenSearch Serverless. The old
 * index is kept, write-blocked, unless `deleteOld` is set: to roll back, lift its block
 * (`PUT <old>/_settings {"index.blocks.write": false}`) and move the alias back. Every step can
 * run again after an interruption.
 */
import type { Client } from '@opensearch-project/opensearch';
import { errors } from '@opensearch-project/opensearch';
import { bulkWrite, DEFAULT_BULK_MAX_BYTES } from './bulk';

export interface ReindexRequest {
  readonly alias: string;
  /** The index the alias writes to now. */
  readonly from: string;
  /** The new index; matched by the alias's index template. */
  readonly to: string;
  readonly deleteOld?: boolean;
  /** Documents per scroll page and bulk request. Default 500. */
  readonly pageSize?: number;
}

export interface ReindexResult {
  readonly from: string;
  readonly to: string;
  /** Documents written to `to` by the first copy. */
  readonly copied: number;
  /** Documents written by the catch-up copy after the alias moved. */
  readonly caughtUp: number;
}

/**
 * @example
 * ```ts
 * await reindexAlias(client, {
 *   alias: 'sluice-prod-products',
 *   from: 'sluice-prod-products-v1',
 *   to: 'sluice-prod-products-v2',
 * });
 * ```
 */
export async function reindexAlias(
  client: Client,
  request: ReindexRequest,
): Promise<ReindexResult> {
  const { alias, from, to } = request;
  const pageSize = request.pageSize ?? 500;
  await createIfMissing(client, to);
  const copied = await copyDocuments(client, from, to, pageSize);
  await client.indices.refresh({ index: to });
  await client.indices.updateAliases({
    body: {
      actions: [
        { remove: { index: from, alias } },
        { add: { index: to, alias, is_write_index: true } },
      ],
    },
  });
  await client.indices.addBlock({ index: from, block: 'write' });
  const caughtUp = await copyDocuments(client, from, to, pageSize);
  if (request.deleteOld) await client.indices.delete({ index: from });
  return { from, to, copied, caughtUp };
}

async function createIfMissing(client: Client, index: string): Promise<void> {
  try {
    await client.indices.create({ index });
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
}

/**
 * Copies `from` into `to` page by page, keeping each document's version; returns the
 * documents written (conflicts — already as new in `to` — are skipped). Any other failure
 * stops the copy before the alias moves.
 */
async function copyDocuments(
  client: Client,
  from: string,
  to: string,
  pageSize: number,
): Promise<number> {
  await client.indices.refresh({ index: from });
  let page = await client.search({
    index: from,
    scroll: '2m',
    size: pageSize,
    version: true,
    body: { sort: ['_doc'] },
  });
  let scrollId = page.body._scroll_id;
  let written = 0;
  try {
    for (;;) {
      const hits = page.body.hits.hits;
      if (hits.length === 0) return written;
      const outcomes = await bulkWrite(
        client,
        hits.map((hit) => ({
          operation: 'index' as const,
          index: to,
          id: hit._id as string,
          version: hit._version as number,
          versionType: 'external' as const,
          document: hit._source as object,
        })),
        { maxBytes: DEFAULT_BULK_MAX_BYTES, requireAlias: false },
      );
      for (const outcome of outcomes) {
        if (outcome.kind === 'failed') throw outcome.error;
        if (outcome.kind === 'written') written++;
      }
      if (!scrollId) return written;
      page = await client.scroll({ scroll_id: scrollId, scroll: '2m' });
      scrollId = page.body._scroll_id ?? scrollId;
    }
  } finally {
    if (scrollId) await client.clearScroll({ scroll_id: scrollId }).catch(() => undefined);
  }
}

/** True for OpenSearch's "index already exists" answer. */
export function isAlreadyExists(error: unknown): boolean {
  if (!(error instanceof errors.ResponseError)) return false;
  const type = (error.body as { error?: { type?: string } } | undefined)?.error?.type;
  return type === 'resource_already_exists_exception';
}
