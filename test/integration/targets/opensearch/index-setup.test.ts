/**
 * Index management against the local OpenSearch node: idempotent setup from the specs, the
 * custom resource's Create / Update / Delete, and a reindex to a new index version that
 * readers and writers never notice. Each test uses its own stage; all are removed after.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { TransientError } from '../../../../functions/shared/errors';
import { bulkWrite } from '../../../../functions/targets/opensearch/bulk';
import { createOpenSearchClient } from '../../../../functions/targets/opensearch/client';
import { ensureIndex, ensureIndexes } from '../../../../functions/targets/opensearch/index-setup';
import { indexSetupResource } from '../../../../functions/targets/opensearch/index-setup-resource';
import { PRODUCTS_INDEX } from '../../../../functions/targets/opensearch/indexes/products';
import { SECURITY_INDEX } from '../../../../functions/targets/opensearch/indexes/security';
import type { IndexSpec } from '../../../../functions/targets/opensearch/indexes/spec';
import { countSearchableProducts } from '../../../../functions/targets/opensearch/product-search';
import { reindexAlias } from '../../../../functions/targets/opensearch/reindex';
import { indexSuspicion } from '../../../../functions/workers/detect-login-abuse/security-index';
import type { Suspicion } from '../../../../functions/workers/detect-login-abuse/suspicions';
import { removeStageIndexes } from '../../../../local/provision/indexes';
import { opensearchUrlVariable } from '../../../../local/services/endpoints';
import { INDEX_SETUP_EVENT } from '../../../support/index-setup-event';
import { uniqueStage } from '../../../support/stage';

const search = createOpenSearchClient({
  url: process.env[opensearchUrlVariable] ?? 'http://127.0.0.1:9200',
  mode: 'none',
});
const stages: string[] = [];
function newStage(): string {
  const stage = uniqueStage('ix');
  stages.push(stage);
  return stage;
}

afterAll(async () => {
  for (const stage of stages) await removeStageIndexes(search, stage);
  await search.close();
});

async function aliasTargets(alias: string): Promise<Record<string, unknown>> {
  const { body } = await search.indices.getAlias({ name: alias });
  return Object.fromEntries(
    Object.entries(body).map(([index, value]) => [index, value.aliases?.[alias]]),
  );
}

const product = (id: string, version: number) => ({
  operation: 'index' as const,
  index: '',
  id,
  version,
  document: {
    productId: id,
    version,
    status: 'PUBLISHED',
    deleted: false,
    title: `product ${id}`,
    description: '',
    price: { amount: 100, currency: 'EUR', value: 1 },
    tags: [],
    categories: [],
    indexedAt: new Date().toISOString(),
  },
});

describe('ensureIndexes', () => {
  it('creates versioned indexes behind write aliases, with the specs’ mappings, idempotently', async () => {
    const stage = newStage();
    const first = await ensureIndexes(search, stage, { replicas: 0 });
    expect(first.map((r) => [r.key, r.alias, r.index, r.action])).toEqual([
      ['products', `sluice-${stage}-products`, `sluice-${stage}-products-v1`, 'created'],
      ['audit', `sluice-${stage}-audit`, `sluice-${stage}-audit-v1`, 'created'],
      ['security', `sluice-${stage}-security`, `sluice-${stage}-security-v1`, 'created'],
    ]);
    const again = await ensureIndexes(search, stage, { replicas: 0 });
    expect(again.map((r) => [r.index, r.action])).toEqual(first.map((r) => [r.index, 'updated']));
    expect(await aliasTargets(`sluice-${stage}-products`)).toEqual({
      [`sluice-${stage}-products-v1`]: { is_write_index: true },
    });
    const { body: mapping } = await search.indices.getMapping({
      index: `sluice-${stage}-products`,
    });
    const properties = mapping[`sluice-${stage}-products-v1`]?.mappings.properties ?? {};
    expect(properties.price).toEqual({
      properties: {
        amount: { type: 'long' },
        currency: { type: 'keyword' },
        value: { type: 'scaled_float', scaling_factor: 1000.0 },
      },
    });
    const { body: settings } = await search.indices.getSettings({
      index: `sluice-${stage}-products`,
    });
    expect(settings[`sluice-${stage}-products-v1`]?.settings?.index).toMatchObject({
      number_of_shards: '1',
      number_of_replicas: '0',
    });
  });

  it('adds a new field to the current version without a reindex', async () => {
    const stage = newStage();
    await ensureIndex(search, stage, PRODUCTS_INDEX, { replicas: 0 });
    const withBrand: IndexSpec = {
      ...PRODUCTS_INDEX,
      mappings: {
        ...PRODUCTS_INDEX.mappings,
        properties: { ...PRODUCTS_INDEX.mappings.properties, brand: { type: 'keyword' } },
      },
    };
    const result = await ensureIndex(search, stage, withBrand, { replicas: 0 });
    expect(result).toMatchObject({ index: `sluice-${stage}-products-v1`, action: 'updated' });
    const { body } = await search.indices.getMapping({ index: result.alias });
    expect(body[result.index]?.mappings.properties?.brand).toEqual({ type: 'keyword' });
  });

  it('moves the alias to a new version with every document and version, never going dark', async () => {
    const stage = newStage();
    const v1 = await ensureIndex(search, stage, PRODUCTS_INDEX, { replicas: 0 });
    const alias = v1.alias;
    const seed = Array.from({ length: 300 }, (_, i) => ({ ...product(`p-${i}`, 5), index: alias }));
    await bulkWrite(search, seed, { maxBytes: 1 << 20, refresh: 'true' });

    // Readers and a writer keep going while the new version is built and the alias moves.
    let reading = true;
    const counts: number[] = [];
    const readers = (async () => {
      while (reading) counts.push(await countSearchableProducts(search, alias));
    })();
    const written: string[] = [];
    const writer = (async () => {
      for (let i = 0; reading; i++) {
        // As a job would be redelivered: a write refused as transient (the old index's write
        // block caught it in flight) goes again, through the alias.
        let outcome = await write(`live-${i}`, alias);
        while (outcome?.kind === 'failed' && outcome.error instanceof TransientError) {
          outcome = await write(`live-${i}`, alias);
        }
        expect(outcome?.kind).toBe('written');
        written.push(`live-${i}`);
      }
    })();
    const v2spec: IndexSpec = { ...PRODUCTS_INDEX, version: 2 };
    const v2 = await ensureIndex(search, stage, v2spec, { replicas: 0 });
    reading = false;
    await Promise.all([readers, writer]);

    expect(v2).toMatchObject({ index: `sluice-${stage}-products-v2`, action: 'reindexed' });
    expect(await aliasTargets(alias)).toEqual({ [v2.index]: { is_write_index: true } });
    expect(counts.length).toBeGreaterThan(0);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(300);

    await search.indices.refresh({ index: v2.index });
    const { body } = await search.count({ index: v2.index });
    expect(body.count).toBe(300 + written.length);
    // Versions came along: an older write is still refused after the move.
    const stale = await bulkWrite(search, [{ ...product('p-7', 4), index: alias }], {
      maxBytes: 1 << 20,
    });
    expect(stale[0]?.kind).toBe('stale');
    const doc = await search.get({ index: alias, id: 'p-7' });
    expect(doc.body._version).toBe(5);
    // The old version stays for a rollback, write-blocked: a write that resolved the alias
    // before it moved cannot land there after the catch-up copy; it is retried instead.
    expect((await search.indices.exists({ index: v1.index })).body).toBe(true);
    const late = await write('late', v1.index, false);
    expect(late?.kind === 'failed' && late.error instanceof TransientError).toBe(true);
    // Running setup again changes nothing.
    expect(await ensureIndex(search, stage, v2spec, { replicas: 0 })).toMatchObject({
      index: v2.index,
      action: 'updated',
    });
    // Older code deployed again leaves the newer version alone.
    expect(await ensureIndex(search, stage, PRODUCTS_INDEX, { replicas: 0 })).toMatchObject({
      index: v2.index,
      action: 'left-alone',
    });
  }, 30_000);

  it('finishes a reindex interrupted after the alias moved: blocks the old version, copies what reached it', async () => {
    const stage = newStage();
    const v1 = await ensureIndex(search, stage, PRODUCTS_INDEX, { replicas: 0 });
    const seed = Array.from({ length: 20 }, (_, i) => ({
      ...product(`p-${i}`, 1),
      index: v1.alias,
    }));
    await bulkWrite(search, seed, { maxBytes: 1 << 20 });
    const v2spec: IndexSpec = { ...PRODUCTS_INDEX, version: 2 };
    // The write block times out: the alias has moved, the old version is still writable.
    const blocking = vi
      .spyOn(search.indices, 'addBlock')
      .mockRejectedValueOnce(new Error('Request timed out'));
    try {
      await expect(ensureIndex(search, stage, v2spec, { replicas: 0 })).rejects.toThrow(
        'Request timed out',
      );
    } finally {
      blocking.mockRestore();
    }
    const v2index = `sluice-${stage}-products-v2`;
    expect(await aliasTargets(v1.alias)).toEqual({ [v2index]: { is_write_index: true } });
    // A write that resolved the alias before it moved lands in the old version meanwhile.
    expect((await write('late', v1.index, false))?.kind).toBe('written');

    expect(await ensureIndex(search, stage, v2spec, { replicas: 0 })).toMatchObject({
      index: v2index,
      action: 'reindexed',
    });
    await search.indices.refresh({ index: v2index });
    expect((await search.count({ index: v2index })).body.count).toBe(21);
    expect((await search.get({ index: v2index, id: 'late' })).body.found).toBe(true);
    const again = await write('later', v1.index, false);
    expect(again?.kind === 'failed' && again.error instanceof TransientError).toBe(true);
    // Finished once: the next run has nothing left to do.
    expect(await ensureIndex(search, stage, v2spec, { replicas: 0 })).toMatchObject({
      action: 'updated',
    });
  }, 30_000);

  it('rolls back by reindexing into the write-blocked older version', async () => {
    const stage = newStage();
    const v1 = await ensureIndex(search, stage, PRODUCTS_INDEX, { replicas: 0 });
    await bulkWrite(search, [{ ...product('p-1', 1), index: v1.alias }], { maxBytes: 1 << 20 });
    const v2 = await ensureIndex(search, stage, { ...PRODUCTS_INDEX, version: 2 }, { replicas: 0 });
    expect((await write('after-move', v2.alias))?.kind).toBe('written');

    await reindexAlias(search, { alias: v1.alias, from: v2.index, to: v1.index });

    expect(await aliasTargets(v1.alias)).toEqual({ [v1.index]: { is_write_index: true } });
    await search.indices.refresh({ index: v1.index });
    expect((await search.count({ index: v1.index })).body.count).toBe(2);
    expect((await write('after-rollback', v1.alias))?.kind).toBe('written');
    const blocked = await write('late', v2.index, false);
    expect(blocked?.kind === 'failed' && blocked.error instanceof TransientError).toBe(true);
  }, 30_000);

  it('finishes an interrupted rollback too, and the rollback can simply run again', async () => {
    const stage = newStage();
    const v1 = await ensureIndex(search, stage, PRODUCTS_INDEX, { replicas: 0 });
    await bulkWrite(search, [{ ...product('p-1', 1), index: v1.alias }], { maxBytes: 1 << 20 });
    const v2 = await ensureIndex(search, stage, { ...PRODUCTS_INDEX, version: 2 }, { replicas: 0 });
    // The rollback's write block on v2 times out after the alias moved back to v1.
    const blocking = vi
      .spyOn(search.indices, 'addBlock')
      .mockRejectedValueOnce(new Error('Request timed out'));
    try {
      await expect(
        reindexAlias(search, { alias: v1.alias, from: v2.index, to: v1.index }),
      ).rejects.toThrow('Request timed out');
    } finally {
      blocking.mockRestore();
    }
    expect(await aliasTargets(v1.alias)).toEqual({ [v1.index]: { is_write_index: true } });
    expect((await write('late', v2.index, false))?.kind).toBe('written');

    // The older code's setup (spec v1) finishes it: v2 blocked, its late write copied.
    expect(await ensureIndex(search, stage, PRODUCTS_INDEX, { replicas: 0 })).toMatchObject({
      index: v1.index,
      action: 'reindexed',
    });
    await search.indices.refresh({ index: v1.index });
    expect((await search.get({ index: v1.index, id: 'late' })).body.found).toBe(true);
    const blocked = await write('later', v2.index, false);
    expect(blocked?.kind === 'failed' && blocked.error instanceof TransientError).toBe(true);
    // Run again by hand, the rollback finds the alias moved and completes.
    await reindexAlias(search, { alias: v1.alias, from: v2.index, to: v1.index });
    expect(await aliasTargets(v1.alias)).toEqual({ [v1.index]: { is_write_index: true } });
  }, 30_000);

  /** One product write; to an index by its own name (not an alias) when `byAlias` is false. */
  const write = async (id: string, index: string, byAlias = true) =>
    (
      await bulkWrite(search, [{ ...product(id, 1), index }], {
        maxBytes: 1 << 20,
        requireAlias: byAlias,
      })
    )[0];
});

describe('the security index', () => {
  it("takes detect-login-abuse's suspicion documents once, found by subject and email in any case", async () => {
    const stage = newStage();
    const { alias } = await ensureIndex(search, stage, SECURITY_INDEX, { replicas: 0 });
    const suspicion: Suspicion = {
      suspicionId: 'a1b2c3',
      kind: 'account',
      subject: 'acc-42',
      windowStart: '2026-11-28T10:00:00.000Z',
      windowEnd: '2026-11-28T10:05:00.000Z',
      threshold: 5,
      failures: 5,
      detectedAt: '2026-11-28T10:03:10Z',
      flaggedAt: '2026-11-28T10:03:11.000Z',
      eventId: 'evt-9',
      accountId: 'acc-42',
      email: 'Jane.Doe@Example.com',
      ip: '2001:DB8::1',
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64)',
      reason: 'BAD_PASSWORD',
    };
    expect(await indexSuspicion(search, alias, suspicion)).toBe('created');
    expect(await indexSuspicion(search, alias, suspicion)).toBe('existing');
    await search.indices.refresh({ index: alias });
    const { body } = await search.search({
      index: alias,
      body: {
        query: {
          bool: {
            filter: [
              { term: { email: 'jane.doe@example.com' } },
              { term: { kind: 'account' } },
              { range: { windowStart: { gte: '2026-11-28T00:00:00Z' } } },
            ],
          },
        },
      },
    });
    expect(body.hits.hits.map((hit) => hit._id)).toEqual(['a1b2c3']);
  });
});

describe('index setup custom resource', () => {
  it('sets up on Create and Update and leaves everything on Delete', async () => {
    const stage = newStage();
    const onEvent = indexSetupResource(search, {});
    const common = INDEX_SETUP_EVENT;
    const properties = { ServiceToken: common.ServiceToken, Stage: stage, Replicas: '0' };
    const created = await onEvent({
      ...common,
      RequestType: 'Create',
      ResourceProperties: properties,
    });
    expect(created).toEqual({
      PhysicalResourceId: `sluice-${stage}-opensearch-indexes`,
      Data: {
        ProductsAlias: `sluice-${stage}-products`,
        ProductsIndex: `sluice-${stage}-products-v1`,
        AuditAlias: `sluice-${stage}-audit`,
        AuditIndex: `sluice-${stage}-audit-v1`,
        SecurityAlias: `sluice-${stage}-security`,
        SecurityIndex: `sluice-${stage}-security-v1`,
      },
    });
    const update: CloudFormationCustomResourceEvent = {
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: created.PhysicalResourceId,
      ResourceProperties: properties,
      OldResourceProperties: properties,
    };
    expect(await onEvent(update)).toEqual(created);
    await onEvent({ ...update, RequestType: 'Delete' });
    expect((await search.indices.exists({ index: `sluice-${stage}-products-v1` })).body).toBe(true);
  });
});
