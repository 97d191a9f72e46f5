/**
 * The catalog service's table, as the simulated shop writes it: one row per product, its
 * `version` increasing with every change. Sluice only reads this table (index-product).
 */
import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

export type CatalogStatus = 'DRAFT' | 'PUBLISHED' | 'UNPUBLISHED';

export interface CatalogRow {
  readonly productId: string;
  readonly version: number;
  readonly status: CatalogStatus;
  readonly title: string;
  readonly description: string;
  readonly price: { readonly amount: number; readonly currency: string };
  readonly tags: readonly string[];
  readonly categories: readonly string[];
  readonly updatedAt: string;
}

const NOUNS = ['kettle', 'lamp', 'backpack', 'headphones', 'mug', 'notebook', 'chair', 'tent'];
const ADJECTIVES = ['red', 'compact', 'wireless', 'organic', 'vintage', 'foldable', 'steel'];
const CATEGORIES = ['kitchen', 'outdoor', 'office', 'audio', 'home'];

/** A plausible row for a product at a version. */
export function catalogRowFor(
  productId: string,
  version: number,
  status: CatalogStatus,
  updatedAt: string,
  random: () => number,
): CatalogRow {
  const noun = NOUNS[Math.floor(random() * NOUNS.length)] as string;
  const adjective = ADJECTIVES[Math.floor(random() * ADJECTIVES.length)] as string;
  return {
    productId,
    version,
    status,
    title: `${adjective} ${noun}`,
    description: `A ${adjective} ${noun}, revision ${version}.`,
    price: { amount: 499 + Math.floor(random() * 30_000), currency: 'EUR' },
    tags: [adjective, noun],
    categories: [CATEGORIES[Math.floor(random() * CATEGORIES.length)] as string],
    updatedAt,
  };
}

/** The row as raw attribute values, as the catalog service stores it. */
export function catalogItem(row: CatalogRow): Record<string, AttributeValue> {
  return {
    productId: { S: row.productId },
    version: { N: String(row.version) },
    status: { S: row.status },
    title: { S: row.title },
    description: { S: row.description },
    price: {
      M: { amount: { N: String(row.price.amount) }, currency: { S: row.price.currency } },
    },
    tags: { L: row.tags.map((tag) => ({ S: tag })) },
    categories: { L: row.categories.map((category) => ({ S: category })) },
    updatedAt: { S: row.updatedAt },
  };
}

/**
 * Writes rows 25 at a time (BatchWriteItem's limit), retrying unprocessed items.
 *
 * @example
 * ```ts
 * await writeCatalogRows(new DynamoDBClient({}), 'sluice-dev-catalog', scenario.catalog.values());
 * ```
 */
export async function writeCatalogRows(
  dynamodb: DynamoDBClient,
  table: string,
  rows: Iterable<CatalogRow>,
): Promise<number> {
  const requests = [...rows].map((row) => ({ PutRequest: { Item: catalogItem(row) } }));
  for (let start = 0; start < requests.length; start += 25) {
    let items = requests.slice(start, start + 25);
    for (let attempt = 0; items.length > 0; attempt++) {
      if (attempt === 10) throw new Error(`Catalog rows unprocessed after 10 attempts: ${table}`);
      const { UnprocessedItems } = await dynamodb.send(
        new BatchWriteItemCommand({ RequestItems: { [table]: items } }),
      );
      items = (UnprocessedItems?.[table] ?? []) as typeof items;
      if (items.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
  return requests.length;
}
