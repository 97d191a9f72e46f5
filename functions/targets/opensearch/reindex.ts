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
 * Steps 4–5 are {@link finishReindex}. Interrupted after the alias moved (a timeout, a crash),
 * a run of index setup finishes the job: it finds the older version without its write block
 * and runs them ({@link finishInterruptedReindexes}). Every other step can run again as is.
 *
 * The copy is done here (scroll + bulk) rather than with `_reindex`, which needs the reindex
 * module (absent from the local node). OpenSearch Serverless offers neither scroll nor the
 * Blocks API: there a version bump fails at the first copy, before the alias moves, and
 * nothing changes. The old index is kept, write-blocked, unless `deleteOld` is set: to roll
 * back, reindex the other way (`from` the new, `to` the old), which lifts the old index's
 * block first.
 */
import type { Client } from '@opensearch-project/opensearch';
import { errors } from '@opensearch-project/opensearch';
import { bulkWrite, DEFAULT_BULK_MAX_BYTES } from './bulk';
import { versionOfIndex } from './indexes/spec';

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
  // A rollback copies into the version an earlier reindex write-blocked.
  await client.indices.putSettings({ index: to, body: { 'index.blocks.write': null } });
  const copied = await copyDocuments(client, from, to, pageSize);
  await client.indices.refresh({ index: to });
  // Run again after an interruption, the alias may have moved already: no remove then (it
  // would fail the whole atomic call).
  const { body: fromHoldsAlias } = await client.indices.existsAlias({ index: from, name: alias });
  await client.indices.updateAliases({
    body: {
      actions: [
        ...(fromHoldsAlias ? [{ remove: { index: from, alias } }] : []),
        { add: { index: to, alias, is_write_index: true } },
      ],
    },
  });
  const caughtUp = await finishReindex(client, from, to, pageSize);
  if (request.deleteOld) await client.indices.delete({ index: from });
  return { from, to, copied, caughtUp };
}

/**
 * Steps 4–5 of a reindex, once the alias is on `to`: write-blocks `from`, then copies what
 * reached it since the first copy. Returns the documents the catch-up wrote. Safe to repeat.
 *
 * @example
 * ```ts
 * const caughtUp = await finishReindex(client, 'sluice-prod-products-v1', 'sluice-prod-products-v2');
 * ```
 */
export async function finishReindex(
  client: Client,
  from: string,
  to: string,
  pageSize = 500,
): Promise<number> {
  await client.indices.addBlock({ index: from, block: 'write' });
  return copyDocuments(client, from, to, pageSize);
}

/**
 * Finishes every reindex into `current` that was interrupted after its alias moved, forward
 * or back (a rollback): another version of the alias's index (`<alias>-v<n>`) without a
 * write block is one whose {@link finishReindex} never ran — a completed reindex leaves every
 * version but the current one blocked. A version found holding the alias again (a rollback
 * moving it meanwhile) is left alone. Returns the versions it finished.
 *
 * @example
 * ```ts
 * await finishInterruptedReindexes(client, 'sluice-prod-products', 'sluice-prod-products-v2');
 * // ['sluice-prod-products-v1'] after an interrupted reindex, [] otherwise
 * ```
 */
export async function finishInterruptedReindexes(
  client: Client,
  alias: string,
  current: string,
): Promise<string[]> {
  const { body } = await client.indices.getSettings({
    index: `${alias}-v*`,
    // creation_date, which every index has, so that indexes without a block are listed too.
    name: ['index.blocks.write', 'index.creation_date'],
    flat_settings: true,
  });
  const unblocked = Object.entries(body)
    .filter(([index, value]) => {
      const blocked = value.settings?.['index.blocks.write'] === 'true';
      return index !== current && versionOfIndex(alias, index) !== undefined && !blocked;
    })
    .map(([index]) => index)
    .sort();
  const finished: string[] = [];
  for (const from of unblocked) {
    const { body: holdsAlias } = await client.indices.existsAlias({ index: from, name: alias });
    if (holdsAlias) continue;
    await finishReindex(client, from, current);
    finished.push(from);
  }
  return finished;
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
