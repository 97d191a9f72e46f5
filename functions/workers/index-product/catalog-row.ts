/**
 * The catalog service's row for a product, read from raw DynamoDB attribute values. Only
 * what indexing needs is checked: the version always, and the content of published rows.
 * A row that breaks those rules cannot be indexed until the catalog fixes it: its jobs are
 * dead-lettered (reason `INVALID_CATALOG_ROW`) and can be redriven after the fix.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Item } from '../../shared/dynamo-attributes';
import { PermanentError } from '../../shared/errors';

/** The catalog status that makes a product searchable; anything else is a tombstone. */
export const PUBLISHED = 'PUBLISHED';

export interface CatalogProduct {
  readonly productId: string;
  /** Increases with every change: the document's external version. */
  readonly version: number;
  /** DRAFT | PUBLISHED | UNPUBLISHED (an unknown status is treated as not published). */
  readonly status: string;
  readonly title: string;
  readonly description: string;
  readonly price?: { readonly amount: number; readonly currency: string };
  readonly tags: readonly string[];
  readonly categories: readonly string[];
  /** Passed on as written; the index's date mapping is the judge of its format. */
  readonly updatedAt?: string;
}

export const INVALID_CATALOG_ROW = 'INVALID_CATALOG_ROW';

/** A catalog row that cannot be indexed as it is. */
export class InvalidCatalogRowError extends PermanentError {
  override name = 'InvalidCatalogRowError';
  readonly reason = INVALID_CATALOG_ROW;
}

const CURRENCY = /^[A-Z]{3}$/;

function text(value: AttributeValue | undefined): string | undefined {
  return value && 'S' in value ? value.S : undefined;
}

function integer(value: AttributeValue | undefined): number | undefined {
  if (!value || !('N' in value) || value.N === undefined) return undefined;
  const n = Number(value.N);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A list of strings (L of S, or a string set); undefined when it is anything else. */
function strings(value: AttributeValue | undefined): string[] | undefined {
  if (value === undefined) return [];
  if ('SS' in value && value.SS) return [...value.SS];
  if ('L' in value && value.L) {
    const out: string[] = [];
    for (const element of value.L) {
      const s = text(element);
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  }
  if ('NULL' in value) return [];
  return undefined;
}

/**
 * @throws InvalidCatalogRowError naming every problem
 * @example
 * ```ts
 * const row = parseCatalogItem(item); // { productId: 'p-1', version: 3, status: 'PUBLISHED', … }
 * ```
 */
export function parseCatalogItem(item: Item): CatalogProduct {
  const problems: string[] = [];
  const productId = text(item.productId) ?? '';
  const version = integer(item.version);
  const status = text(item.status);
  if (version === undefined || version < 0) problems.push('version must be an integer ≥ 0');
  if (!status) problems.push('status must be a string');
  const published = status === PUBLISHED;
  const title = text(item.title);
  if (published && !title) problems.push('title must be a non-empty string');
  const description = text(item.description);
  if (
    item.description !== undefined &&
    description === undefined &&
    !('NULL' in item.description)
  ) {
    problems.push('description must be a string');
  }
  const tags = strings(item.tags);
  if (!tags) problems.push('tags must be a list of strings');
  const categories = strings(item.categories);
  if (!categories) problems.push('categories must be a list of strings');
  const priceMap = item.price && 'M' in item.price ? item.price.M : undefined;
  const amount = integer(priceMap?.amount);
  const currency = text(priceMap?.currency);
  const price =
    amount !== undefined && amount >= 0 && currency && CURRENCY.test(currency)
      ? { amount, currency }
      : undefined;
  if (published && !price) {
    problems.push('price must be { amount: integer ≥ 0 in minor units, currency: ISO 4217 }');
  }
  if (problems.length > 0) {
    throw new InvalidCatalogRowError(`catalog row ${productId}: ${problems.join('; ')}`);
  }
  return {
    productId,
    version: version as number,
    status: status as string,
    title: title ?? '',
    description: description ?? '',
    price,
    tags: tags as string[],
    categories: categories as string[],
    updatedAt: text(item.updatedAt),
  };
}
