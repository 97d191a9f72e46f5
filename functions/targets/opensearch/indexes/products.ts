/**
 * The products index: what a shop search needs. One document per product id, written with
 * the catalog row's version as external version. A product that is not published (or no
 * longer exists) stays as a tombstone (`deleted: true`, no content) rather than being
 * deleted: OpenSearch forgets a delete's version after `index.gc_deletes` (60 s), after
 * which a replayed older event could bring the product back; a tombstone keeps its version
 * for ever. Searches filter tombstones out ({@link searchProducts}).
 */
import { FOLDED_NORMALIZER, type IndexSpec } from './spec';

/** A published product as indexed. */
export interface ProductDocument {
  readonly productId: string;
  readonly version: number;
  readonly status: 'PUBLISHED';
  readonly deleted: false;
  readonly title: string;
  readonly description: string;
  readonly price: {
    /** Exact amount in minor units (cents), as the catalog stores it. */
    readonly amount: number;
    readonly currency: string;
    /** The amount in major units, for range filters and sorting (`scaled_float`). */
    readonly value: number;
  };
  readonly tags: readonly string[];
  readonly categories: readonly string[];
  readonly updatedAt?: string;
  readonly indexedAt: string;
}

/** A product that is not (or no longer) published: the version stays, the content goes. */
export interface ProductTombstone {
  readonly productId: string;
  readonly version: number;
  /** The catalog status (DRAFT, UNPUBLISHED, …) or `GONE` when the row no longer exists. */
  readonly status: string;
  readonly deleted: true;
  readonly updatedAt?: string;
  readonly indexedAt: string;
}

export type ProductIndexDocument = ProductDocument | ProductTombstone;

const keyword = { type: 'keyword' } as const;
/** Text searched with English stemming, plus an exact keyword for sorting and facets. */
const text = {
  type: 'text',
  analyzer: 'english',
  fields: { keyword: { type: 'keyword', ignore_above: 256 } },
} as const;

export const PRODUCTS_INDEX: IndexSpec = {
  key: 'products',
  version: 1,
  // Tags are facets: "Red" and "red" are one value.
  settings: FOLDED_NORMALIZER,
  mappings: {
    // A field the worker does not write is a bug: fail it in tests, never guess a mapping.
    dynamic: 'strict',
    properties: {
      productId: keyword,
      version: { type: 'long' },
      status: keyword,
      deleted: { type: 'boolean' },
      title: text,
      description: text,
      price: {
        properties: {
          amount: { type: 'long' },
          currency: keyword,
          // 1000 keeps every ISO 4217 currency exact (up to three minor digits).
          value: { type: 'scaled_float', scaling_factor: 1000 },
        },
      },
      tags: { type: 'keyword', normalizer: 'folded', ignore_above: 256 },
      categories: { type: 'keyword', ignore_above: 256 },
      updatedAt: { type: 'date' },
      indexedAt: { type: 'date' },
    },
  },
};
