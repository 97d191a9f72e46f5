/**
 * Against the real local OpenSearch node (local/services/opensearch.ts), assumed to be up: the
 * behaviours the workers rely on — external versions, create-only writes answering 409, and a
 * 429 on one index when it carries a write block (our way to provoke throttling in tests).
 */
import { randomUUID } from 'node:crypto';
import { Client, errors } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const node = process.env.OPENSEARCH_URL ?? 'http://127.0.0.1:9200';
const client = new Client({ node });
// One index per run, so parallel or aborted runs never see each other's documents.
const index = `sluice-it-${randomUUID()}`;

/** The HTTP status and OpenSearch error type of a rejected request. */
async function rejection(request: Promise<unknown>): Promise<{ status: number; type: unknown }> {
  try {
    await request;
  } catch (error) {
    if (error instanceof errors.ResponseError) {
      return { status: error.statusCode, type: error.body?.error?.type };
    }
    throw error;
  }
  throw new Error('expected the request to be rejected');
}

describe('local OpenSearch', () => {
  beforeAll(async () => {
    await client.indices.create({
      index,
      body: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: {
          dynamic: 'strict',
          properties: {
            jobId: { type: 'keyword' },
            message: { type: 'text' },
          },
        },
      },
    });
  });

  afterAll(async () => {
    await client.indices.delete({ index, ignore_unavailable: true });
    await client.close();
  });

  it('indexes with external_gte versions and finds the newest document', async () => {
    const bulk = await client.bulk({
      refresh: 'wait_for',
      body: [
        { index: { _index: index, _id: 'a', version: 5, version_type: 'external_gte' } },
        { jobId: 'a', message: 'first delivery of sluice event' },
        // A redelivery with the same version is accepted (gte) ...
        { index: { _index: index, _id: 'a', version: 5, version_type: 'external_gte' } },
        { jobId: 'a', message: 'redelivered sluice event' },
        { index: { _index: index, _id: 'b', version: 7, version_type: 'external_gte' } },
        { jobId: 'b', message: 'other event' },
        // ... an older one is a conflict.
        { index: { _index: index, _id: 'b', version: 3, version_type: 'external_gte' } },
        { jobId: 'b', message: 'stale event' },
      ],
    });
    const statuses = bulk.body.items.map((item) => item.index?.status);
    expect(statuses).toEqual([201, 200, 201, 409]);

    const search = await client.search({
      index,
      body: { query: { match: { message: 'sluice' } } },
    });
    const hits = search.body.hits.hits.map((hit) => ({ id: hit._id, source: hit._source }));
    expect(hits).toEqual([
      { id: 'a', source: { jobId: 'a', message: 'redelivered sluice event' } },
    ]);
  });

  it('answers 409 to a create of an existing id', async () => {
    const doc = { jobId: 'c', message: 'created once' };
    const first = await client.index({ index, id: 'c', op_type: 'create', body: doc });
    expect(first.statusCode).toBe(201);

    const again = await rejection(client.index({ index, id: 'c', op_type: 'create', body: doc }));
    expect(again).toEqual({ status: 409, type: 'version_conflict_engine_exception' });
  });

  it('answers 429 while the index has a read_only_allow_delete block, and accepts after', async () => {
    await client.indices.putSettings({
      index,
      body: { 'index.blocks.read_only_allow_delete': true },
    });
    try {
      const blocked = await rejection(
        client.index({ index, id: 'd', body: { jobId: 'd', message: 'blocked' } }),
      );
      expect(blocked).toEqual({ status: 429, type: 'cluster_block_exception' });

      // In a bulk the same rejection arrives per item, under a 200 response.
      const bulk = await client.bulk({
        body: [{ index: { _index: index, _id: 'e' } }, { jobId: 'e', message: 'blocked' }],
      });
      expect(bulk.body.items[0]?.index?.status).toBe(429);
      expect(bulk.body.items[0]?.index?.error?.type).toBe('cluster_block_exception');
    } finally {
      // null removes the setting; the block must not outlive the test even if it fails.
      await client.indices.putSettings({
        index,
        body: { 'index.blocks.read_only_allow_delete': null },
      });
    }

    const after = await client.index({ index, id: 'd', body: { jobId: 'd', message: 'accepted' } });
    expect(after.statusCode).toBe(201);
  });
});
