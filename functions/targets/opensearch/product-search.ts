/**
 * Searching the products index the way a shop would: full text over title and description,
 * filters on tags, categories and price, facet counts — and never a tombstone.
 */
import type { Client, Types } from '@opensearch-project/opensearch';
import type { ProductDocument } from './indexes/products';

export interface ProductQuery {
  /** Words to find in title (weighted double) and description. */
  readonly text?: string;
  /** Products carrying every one of these tags. */
  readonly tags?: readonly string[];
  /** Products in any of these categories. */
  readonly categories?: readonly string[];
  /** Price filter in major units (e.g. 19.99), in this currency. */
  readonly price?: { readonly currency: string; readonly min?: number; readonly max?: number };
  /** Page size (default 20) and offset. */
  readonly size?: number;
  readonly from?: number;
}

export interface Facet {
  readonly value: string;
  readonly count: number;
}

export interface ProductSearchResult {
  /** Matching published products (exact). */
  readonly total: number;
  readonly products: readonly ProductDocument[];
  readonly facets: { readonly categories: readonly Facet[]; readonly tags: readonly Facet[] };
}

/** The filter every product search carries: tombstones are not products. */
export const NOT_DELETED: Query = { term: { deleted: false } };

type Query = Types.Common_QueryDsl.QueryContainer;

function queryBody(query: ProductQuery): Query {
  const filter: Query[] = [NOT_DELETED];
  for (const tag of query.tags ?? []) filter.push({ term: { tags: tag } });
  if (query.categories?.length) filter.push({ terms: { categories: [...query.categories] } });
  if (query.price) {
    filter.push({ term: { 'price.currency': query.price.currency } });
    const range: Record<string, number> = {};
    if (query.price.min !== undefined) range.gte = query.price.min;
    if (query.price.max !== undefined) range.lte = query.price.max;
    if (Object.keys(range).length > 0) filter.push({ range: { 'price.value': range } });
  }
  const must: Query[] = query.text
    ? [{ multi_match: { query: query.text, fields: ['title^2', 'description'] } }]
    : [];
  return { bool: { must, filter } };
}

// A constant, not a literal at the call: the client's generated types lack terms.field.
const FACETS = {
  categories: { terms: { field: 'categories', size: 50 } },
  tags: { terms: { field: 'tags', size: 50 } },
};

/**
 * @example
 * ```ts
 * const { total, products, facets } = await searchProducts(client, 'sluice-dev-products', {
 *   text: 'kettle',
 *   categories: ['kitchen'],
 * });
 * ```
 */
export async function searchProducts(
  client: Client,
  alias: string,
  query: ProductQuery = {},
): Promise<ProductSearchResult> {
  const { body } = await client.search({
    index: alias,
    body: {
      query: queryBody(query),
      size: query.size ?? 20,
      from: query.from ?? 0,
      track_total_hits: true,
      sort: [{ _score: { order: 'desc' } }, { productId: { order: 'asc' } }],
      aggs: FACETS,
    },
  });
  const total = body.hits.total;
  const aggregations = body.aggregations as
    | Record<string, { buckets?: Array<{ key: string; doc_count: number }> }>
    | undefined;
  const facet = (name: string): Facet[] =>
    (aggregations?.[name]?.buckets ?? []).map((b) => ({ value: b.key, count: b.doc_count }));
  return {
    total: typeof total === 'number' ? total : (total?.value ?? 0),
    products: body.hits.hits.map((hit) => hit._source as ProductDocument),
    facets: { categories: facet('categories'), tags: facet('tags') },
  };
}

/**
 * How many published products a search can find (tombstones excluded).
 *
 * @example
 * ```ts
 * await countSearchableProducts(client, 'sluice-dev-products'); // 1234
 * ```
 */
export async function countSearchableProducts(client: Client, alias: string): Promise<number> {
  const { body } = await client.count({ index: alias, body: { query: NOT_DELETED } });
  return body.count;
}
