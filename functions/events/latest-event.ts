/**
 * The event a job receives for a type: the envelope with `data` at the type's latest schema
 * version (the router upcasts older versions first). For several types, a union a job can
 * narrow by `event.type`.
 *
 * @example
 * ```ts
 * type Sale = LatestEvent<'ITEM_SOLD'>; // CloudEvent<'ITEM_SOLD', ItemSold v2>
 * type Any = LatestEvent; // every registered type
 * ```
 */
import type { CloudEvent } from './envelope';
import type { EventDataByType, EventType } from './registry';

export type LatestEvent<T extends EventType = EventType> = {
  [K in T]: CloudEvent<K, EventDataByType[K]>;
}[T];
