import { describe, expect, it } from 'vitest';
import {
  INVALID_CATALOG_ROW,
  InvalidCatalogRowError,
  parseCatalogItem,
} from '../../../../functions/workers/index-product/catalog-row';
import { catalogItem, catalogRow } from '../../../support/catalog';

describe('parseCatalogItem', () => {
  it('reads a published row as the catalog writes it', () => {
    const row = catalogRow('p-1', 4, 'PUBLISHED', { tags: ['Red', 'steel'] });
    expect(parseCatalogItem(catalogItem(row))).toEqual({
      productId: 'p-1',
      version: 4,
      status: 'PUBLISHED',
      title: row.title,
      description: row.description,
      price: { amount: 1999, currency: 'EUR' },
      tags: ['Red', 'steel'],
      categories: ['kitchen'],
      updatedAt: row.updatedAt,
    });
  });

  it('accepts string sets and absent lists', () => {
    const item = catalogItem(catalogRow('p-1', 1));
    item.tags = { SS: ['a', 'b'] };
    delete item.categories;
    const row = parseCatalogItem(item);
    expect(row.tags).toEqual(['a', 'b']);
    expect(row.categories).toEqual([]);
  });

  it('needs only a version and a status for a row that is not published', () => {
    const row = parseCatalogItem({
      productId: { S: 'p-2' },
      version: { N: '7' },
      status: { S: 'DRAFT' },
    });
    expect(row).toMatchObject({ productId: 'p-2', version: 7, status: 'DRAFT', price: undefined });
  });

  it('names every problem of a published row it cannot index', () => {
    const item = catalogItem(catalogRow('p-3', 1));
    item.version = { N: '1.5' };
    item.title = { S: '' };
    item.price = { M: { amount: { N: '-1' }, currency: { S: 'EUR' } } };
    item.tags = { L: [{ S: 'ok' }, { N: '3' }] };
    const parse = () => parseCatalogItem(item);
    expect(parse).toThrow(InvalidCatalogRowError);
    expect(parse).toThrow(
      'catalog row p-3: version must be an integer ≥ 0; title must be a non-empty string; ' +
        'tags must be a list of strings; price must be { amount: integer ≥ 0 in minor units, currency: ISO 4217 }',
    );
    try {
      parse();
    } catch (error) {
      expect((error as InvalidCatalogRowError).reason).toBe(INVALID_CATALOG_ROW);
    }
  });

  it('refuses a lower-case currency and a missing status', () => {
    const item = catalogItem(catalogRow('p-4', 1));
    item.price = { M: { amount: { N: '100' }, currency: { S: 'eur' } } };
    expect(() => parseCatalogItem(item)).toThrow('price must be');
    const noStatus = catalogItem(catalogRow('p-4', 1));
    delete noStatus.status;
    expect(() => parseCatalogItem(noStatus)).toThrow('status must be a string');
  });
});
