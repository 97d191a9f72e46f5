/**
 * What index-product writes for a product: the document of a published row, or a tombstone
 * (no content, `deleted: true`) for a row that is not published or no longer exists —
 * always under an external version, so that an older write can never replace it.
 */

import { minorUnitDigits } from '../../shared/money';
import type {
  ProductDocument,
  ProductIndexDocument,
  ProductTombstone,
} from '../../targets/opensearch/indexes/products';
import { type CatalogProduct, PUBLISHED } from './catalog-row';

/** The status of a tombstone whose catalog row no longer exists. */
export const GONE = 'GONE';

export interface VersionedDocument {
  readonly productId: string;
  readonly version: number;
  readonly document: ProductIndexDocument;
}

/**
 * The document for a catalog row at its version.
 *
 * @example
 * ```ts
 * documentForRow(row, '2026-11-28T17:50:00.000Z');
 * // { productId: 'p-1', version: 3, document: { …, deleted: false } }
 * ```
 */
export function documentForRow(row: CatalogProduct, indexedAt: string): VersionedDocument {
  if (row.status !== PUBLISHED || !row.price) {
    const tombstone: ProductTombstone = {
      productId: row.productId,
      version: row.version,
      status: row.status,
      deleted: true,
      updatedAt: row.updatedAt,
      indexedAt,
    };
    return { productId: row.productId, version: row.version, document: tombstone };
  }
  const { amount, currency } = row.price;
  const document: ProductDocument = {
    productId: row.productId,
    version: row.version,
    status: PUBLISHED,
    deleted: false,
    title: row.title,
    description: row.description,
    price: { amount, currency, value: amount / 10 ** minorUnitDigits(currency) },
    tags: row.tags,
    categories: row.categories,
    // Undefined when the row has none: JSON leaves the field out.
    updatedAt: row.updatedAt,
    indexedAt,
  };
  return { productId: row.productId, version: row.version, document };
}

/**
 * The tombstone of a product whose row is gone, at the newest version its events name:
 * the event reporting the removal carries the highest version, so older replays lose to it.
 */
export function goneTombstone(
  productId: string,
  version: number,
  indexedAt: string,
): VersionedDocument {
  const document: ProductTombstone = { productId, version, status: GONE, deleted: true, indexedAt };
  return { productId, version, document };
}
