/**
 * Catalog events: references only. The catalog service owns the product; consumers read
 * its current row, so the event never carries a stale copy of a large, evolving document.
 */
import type { Static } from '@sinclair/typebox';
// Namespace import: bundles only the builders used (the `Type` object holds every one).
import * as Type from '@sinclair/typebox';
import { Id } from './common';

/** PRODUCT_PUBLISHED, PRODUCT_UPDATED and PRODUCT_UNPUBLISHED, version 1. */
export const ProductReferenceV1 = Type.Object(
  {
    productId: Id,
    catalogVersion: Type.Integer({
      minimum: 1,
      description: "The product row's version after the change that produced this event",
    }),
  },
  { description: 'A product that changed in the catalog, by id and catalog version' },
);

export type ProductReference = Static<typeof ProductReferenceV1>;
