import { describe, expect, it } from 'vitest';
import { INDEX_SPECS } from '../../../../../functions/targets/opensearch/indexes/index-specs';
import {
  aliasName,
  concreteIndexName,
  type IndexMappings,
  versionOfIndex,
} from '../../../../../functions/targets/opensearch/indexes/spec';
import { INDEXES } from '../../../../../functions/topology/topology';
import { auditDocument } from '../../../../../functions/workers/audit/audit-document';
import { parseCatalogItem } from '../../../../../functions/workers/index-product/catalog-row';
import {
  documentForRow,
  goneTombstone,
} from '../../../../../functions/workers/index-product/product-document';
import { catalogItem, catalogRow } from '../../../../support/catalog';
import { jobMessage } from '../../../../support/job-runtime-fakes';

/** Dotted paths of every leaf of a document (arrays by their elements). */
function paths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length ? paths(value[0], prefix) : [prefix];
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => paths(v, prefix ? `${prefix}.${k}` : k));
  }
  return [prefix];
}

/** Dotted paths a mapping declares (object properties descended). */
function mapped(mappings: IndexMappings, prefix = ''): string[] {
  return Object.entries(mappings.properties ?? {}).flatMap(([name, property]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    const nested = (property as IndexMappings).properties;
    return nested ? mapped(property as IndexMappings, path) : [path];
  });
}

describe('index names', () => {
  it('puts a versioned concrete index behind a stage-scoped alias', () => {
    expect(aliasName('dev', 'products')).toBe('sluice-dev-products');
    expect(concreteIndexName('dev', 'products', 3)).toBe('sluice-dev-products-v3');
    expect(versionOfIndex('sluice-dev-products', 'sluice-dev-products-v12')).toBe(12);
    expect(versionOfIndex('sluice-dev-products', 'sluice-dev-products-v0')).toBeUndefined();
    expect(versionOfIndex('sluice-dev-products', 'sluice-dev-products-old')).toBeUndefined();
    expect(versionOfIndex('sluice-dev-products', 'sluice-dev-audit-v1')).toBeUndefined();
  });

  it('has one spec per topology index, under its own key', () => {
    expect(Object.keys(INDEX_SPECS).sort()).toEqual(Object.keys(INDEXES).sort());
    for (const [key, spec] of Object.entries(INDEX_SPECS)) expect(spec.key).toBe(key);
  });
});

describe('strict mappings cover what the workers write', () => {
  it('products: every field of a document and of both tombstones is mapped', () => {
    const row = parseCatalogItem(catalogItem(catalogRow('p-1', 2)));
    const unpublished = parseCatalogItem(catalogItem(catalogRow('p-1', 3, 'UNPUBLISHED')));
    const fields = new Set([
      ...paths(documentForRow(row, '2026-01-01T00:00:00Z').document),
      ...paths(documentForRow(unpublished, '2026-01-01T00:00:00Z').document),
      ...paths(goneTombstone('p-1', 4, '2026-01-01T00:00:00Z').document),
    ]);
    expect(INDEX_SPECS.products.mappings.dynamic).toBe('strict');
    expect([...fields].sort()).toEqual(mapped(INDEX_SPECS.products.mappings).sort());
  });

  it('audit: every envelope field is mapped and the event itself is stored, not indexed', () => {
    const document = auditDocument(
      {
        ...jobMessage('audit', 1),
        event: { id: 'e', source: 's', type: 'T', time: 't', subject: 'x', dataversion: 1 },
      },
      '2026-01-01T00:00:00Z',
    );
    const fields = paths({ ...document, event: null });
    expect(INDEX_SPECS.audit.mappings.dynamic).toBe('strict');
    expect(fields.sort()).toEqual(mapped(INDEX_SPECS.audit.mappings).sort());
    expect(INDEX_SPECS.audit.mappings.properties?.event).toEqual({
      type: 'object',
      enabled: false,
    });
  });
});
