import { describe, expect, it } from 'vitest';
import { minorUnitDigits } from '../../../../functions/shared/money';
import { parseCatalogItem } from '../../../../functions/workers/index-product/catalog-row';
import {
  documentForRow,
  GONE,
  goneTombstone,
} from '../../../../functions/workers/index-product/product-document';
import { catalogItem, catalogRow } from '../../../support/catalog';

const AT = '2026-11-28T10:00:00.000Z';
const row = (...args: Parameters<typeof catalogRow>) =>
  parseCatalogItem(catalogItem(catalogRow(...args)));

describe('documentForRow', () => {
  it('indexes a published row at its version, price exact and in major units', () => {
    const source = catalogRow('p-1', 5, 'PUBLISHED', {
      price: { amount: 123_456, currency: 'EUR' },
    });
    expect(documentForRow(row('p-1', 5, 'PUBLISHED', source), AT)).toEqual({
      productId: 'p-1',
      version: 5,
      document: {
        productId: 'p-1',
        version: 5,
        status: 'PUBLISHED',
        deleted: false,
        title: source.title,
        description: source.description,
        price: { amount: 123_456, currency: 'EUR', value: 1234.56 },
        tags: source.tags,
        categories: source.categories,
        updatedAt: source.updatedAt,
        indexedAt: AT,
      },
    });
  });

  it.each([
    ['JPY', 1500, 1500],
    ['KWD', 1500, 1.5],
    ['EUR', 5, 0.05],
  ])('prices in %s: %i minor units are %d', (currency, amount, value) => {
    const document = documentForRow(row('p', 1, 'PUBLISHED', { price: { amount, currency } }), AT)
      .document as { price: { value: number } };
    expect(document.price.value).toBe(value);
    expect(minorUnitDigits(currency)).toBe(currency === 'JPY' ? 0 : currency === 'KWD' ? 3 : 2);
  });

  it.each(['UNPUBLISHED', 'DRAFT'] as const)(
    'keeps only a versioned tombstone of a %s row',
    (status) => {
      const source = catalogRow('p-2', 9, status);
      expect(documentForRow(row('p-2', 9, status), AT)).toEqual({
        productId: 'p-2',
        version: 9,
        document: {
          productId: 'p-2',
          version: 9,
          status,
          deleted: true,
          updatedAt: source.updatedAt,
          indexedAt: AT,
        },
      });
    },
  );
});

describe('goneTombstone', () => {
  it('marks a product whose row is gone at the version it is given', () => {
    expect(goneTombstone('p-3', 12, AT)).toEqual({
      productId: 'p-3',
      version: 12,
      document: { productId: 'p-3', version: 12, status: GONE, deleted: true, indexedAt: AT },
    });
  });
});
