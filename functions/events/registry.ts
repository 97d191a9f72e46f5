/**
 * The event registry: every (type, version) Sluice understands, its schema, the topic it
 * is published on, and how older versions are upcast to the latest. This is the single
 * source of truth for validation, for the TypeScript types of event data, and for the JSON
 * Schema files producers use (`npm run schemas`).
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { TopicKey } from '../topology/topology';
import { ProductReferenceV1 } from './schemas/catalog';
import { CustomerChangeV1 } from './schemas/customers';
import { LoginFailedV1 } from './schemas/identity';
import { ItemSoldV1, ItemSoldV2, upcastItemSoldV1 } from './schemas/orders';

/** One schema version of an event type; `upcast` turns its data into the next version's. */
export interface EventVersion {
  readonly version: number;
  readonly schema: TSchema;
  readonly upcast?: (data: never) => unknown;
}

export interface EventTypeDefinition {
  readonly type: string;
  readonly topic: TopicKey;
  readonly description: string;
  /** Versions 1..n in order; the last is the one jobs see. */
  readonly versions: readonly EventVersion[];
}

/**
 * A version whose data is upcast to the next one; typing ties `upcast` to both schemas.
 *
 * @example
 * ```ts
 * upcastable(1, ItemSoldV1, ItemSoldV2, upcastItemSoldV1);
 * ```
 */
export function upcastable<From extends TSchema, To extends TSchema>(
  version: number,
  schema: From,
  _next: To,
  upcast: (data: Static<From>) => Static<To>,
): EventVersion {
  return { version, schema, upcast: upcast as (data: never) => unknown };
}

const productEvent = (type: string, description: string): EventTypeDefinition => ({
  type,
  topic: 'catalog',
  description,
  versions: [{ version: 1, schema: ProductReferenceV1 }],
});

const customerEvent = (type: string, description: string): EventTypeDefinition => ({
  type,
  topic: 'customers',
  description,
  versions: [{ version: 1, schema: CustomerChangeV1 }],
});

export const EVENT_TYPES: readonly EventTypeDefinition[] = [
  productEvent('PRODUCT_PUBLISHED', 'A product became visible in the shop'),
  productEvent('PRODUCT_UPDATED', 'A published product changed'),
  productEvent('PRODUCT_UNPUBLISHED', 'A product was withdrawn from the shop'),
  {
    type: 'ITEM_SOLD',
    topic: 'orders',
    description: 'Items of an order were sold',
    versions: [
      upcastable(1, ItemSoldV1, ItemSoldV2, upcastItemSoldV1),
      { version: 2, schema: ItemSoldV2 },
    ],
  },
  {
    type: 'LOGIN_FAILED',
    topic: 'identity',
    description: 'A login attempt failed',
    versions: [{ version: 1, schema: LoginFailedV1 }],
  },
  customerEvent('CUSTOMER_CREATED', 'A customer registered'),
  customerEvent('CUSTOMER_UPDATED', 'Fields of a customer changed'),
];

/** The data type each event type has at its latest version: what jobs are written against. */
export interface EventDataByType {
  PRODUCT_PUBLISHED: Static<typeof ProductReferenceV1>;
  PRODUCT_UPDATED: Static<typeof ProductReferenceV1>;
  PRODUCT_UNPUBLISHED: Static<typeof ProductReferenceV1>;
  ITEM_SOLD: Static<typeof ItemSoldV2>;
  LOGIN_FAILED: Static<typeof LoginFailedV1>;
  CUSTOMER_CREATED: Static<typeof CustomerChangeV1>;
  CUSTOMER_UPDATED: Static<typeof CustomerChangeV1>;
}

export type EventType = keyof EventDataByType;

/** A lookup over a list of event type definitions (the production list by default). */
export class EventRegistry {
  private readonly byType: Map<string, EventTypeDefinition>;

  constructor(readonly definitions: readonly EventTypeDefinition[] = EVENT_TYPES) {
    this.byType = new Map();
    for (const definition of definitions) {
      definition.versions.forEach((entry, index) => {
        if (entry.version !== index + 1) {
          throw new Error(`${definition.type}: versions must be 1..n in order`);
        }
        if (index < definition.versions.length - 1 && !entry.upcast) {
          throw new Error(`${definition.type} v${entry.version}: an older version needs an upcast`);
        }
      });
      this.byType.set(definition.type, definition);
    }
  }

  /** The definition of a type, if registered. */
  get(type: string): EventTypeDefinition | undefined {
    return this.byType.get(type);
  }

  /**
   * Known versions per type, e.g. `{ ITEM_SOLD: [1, 2] }`: written into dead letters.
   * Computed once (the definitions do not change) and frozen, as every dead letter shares it.
   */
  knownVersions(): Record<string, number[]> {
    if (this.known === undefined) {
      const known: Record<string, number[]> = {};
      for (const { type, versions } of this.definitions) {
        const list = versions.map((v) => v.version);
        Object.freeze(list);
        known[type] = list;
      }
      Object.freeze(known);
      this.known = known;
    }
    return this.known;
  }

  private known: Record<string, number[]> | undefined;
}
