/**
 * bulkWrite against the local OpenSearch node: outcomes per item as the node reports them,
 * requests split by size, and writes refused (not auto-created) for a name that is not an
 * alias.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransientError } from '../../../../functions/shared/errors';
import { bulkLines, bulkWrite } from '../../../../functions/targets/opensearch/bulk';
import { createOpenSearchClient } from '../../../../functions/targets/opensearch/client';
import { ensureIndex } from '../../../../functions/targets/opensearch/index-setup';
import { AUDIT_INDEX } from '../../../../functions/targets/opensearch/indexes/audit';
import { removeStageIndexes } from '../../../../local/provision/indexes';
import { opensearchUrlVariable } from '../../../../local/services/endpoints';
import { uniqueStage } from '../../../support/stage';

const search = createOpenSearchClient({
  url: process.env[opensearchUrlVariable] ?? 'http://127.0.0.1:9200',
  mode: 'none',
});
const stage = uniqueStage('bk');
let alias = '';
let bulkRequests = 0;
search.on('response', (_error, result) => {
  if (result?.meta.request.params.path === '/_bulk') bulkRequests++;
});

beforeAll(async () => {
  alias = (await ensureIndex(search, stage, AUDIT_INDEX, { replicas: 0 })).alias;
});

afterAll(async () => {
  await removeStageIndexes(search, stage);
  await search.close();
});

const entry = (id: string, time = '2026-11-28T10:00:00Z') => ({
  operation: 'create' as const,
  index: alias,
  id,
  document: {
    eventId: id,
    source: 's',
    type: 'T',
    time,
    jobId: id,
    provenance: { topic: 't', partition: 0, offset: 1, timestamp: 0, key: null },
    enqueuedAt: time,
    routerVersion: 'it',
    recordedAt: time,
    event: { anything: ['goes', 1] },
  },
});

describe('bulkWrite on OpenSearch', () => {
  it('reports each item: created, already there, refused by the mapping', async () => {
    const outcomes = await bulkWrite(
      search,
      [entry('a'), entry('a'), entry('b', 'not a date'), entry('c')],
      { maxBytes: 1 << 20 },
    );
    expect(outcomes.map((o) => o.kind)).toEqual(['written', 'exists', 'failed', 'written']);
  });

  it('splits a batch into requests under the size limit', async () => {
    const writes = Array.from({ length: 10 }, (_, i) => entry(`split-${i}`));
    const perWrite = Buffer.byteLength(bulkLines(writes[0] as (typeof writes)[number]));
    const before = bulkRequests;
    const outcomes = await bulkWrite(search, writes, {
      maxBytes: 4 * perWrite,
      refresh: 'true',
    });
    expect(bulkRequests - before).toBe(3);
    expect(outcomes.every((o) => o.kind === 'written')).toBe(true);
    const { body } = await search.count({
      index: alias,
      body: { query: { prefix: { eventId: 'split-' } } },
    });
    expect(body.count).toBe(10);
  });

  it('refuses a write to a name that is not an alias instead of creating an index', async () => {
    const missing = `sluice-${stage}-nothing`;
    const [outcome] = await bulkWrite(search, [{ ...entry('x'), index: missing }], {
      maxBytes: 1 << 20,
    });
    expect(outcome?.kind === 'failed' && outcome.error).toBeInstanceOf(TransientError);
    expect((await search.indices.exists({ index: missing })).body).toBe(false);
  });
});
