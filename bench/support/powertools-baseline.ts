/**
 * The baseline: @aws-lambda-powertools/kafka's kafkaConsumer with a JSON value schema and a
 * Zod schema equivalent to Sluice's envelope and data schemas (functions/events/schemas).
 * It has no schema versions: data must match one type's schema, any `dataversion` passes.
 *
 * Its records have lazy getters, and `value` throws KafkaConsumerParserError when Zod
 * rejects it (after console.error-ing a stack trace when the bytes are not JSON). The
 * handler catches that per record and counts it, so invalid records never abort the batch.
 */
import { kafkaConsumer, SchemaType } from '@aws-lambda-powertools/kafka';
import type { MSKEvent } from 'aws-lambda';
import * as z from 'zod';

const id = z.string().min(1).max(256);
const timestamp = z.iso.datetime({ offset: true });
const currency = z.string().regex(/^[A-Z]{3}$/);
const quantity = z.number().int().min(1);

// One member per data schema: PRODUCT_*, ITEM_SOLD v2 and v1, LOGIN_FAILED, CUSTOMER_*.
const data = z.union([
  z.looseObject({ productId: id, catalogVersion: z.number().int().min(1) }),
  z.looseObject({
    orderId: id,
    soldAt: timestamp,
    lines: z
      .array(
        z.looseObject({
          lineId: id,
          productId: id,
          sellerId: id,
          quantity,
          unitPrice: z.looseObject({ amount: z.number().int().min(0), currency }),
        }),
      )
      .min(1)
      .max(500),
  }),
  z.looseObject({
    orderId: id,
    soldAt: timestamp,
    currency,
    lines: z
      .array(z.looseObject({ productId: id, sellerId: id, quantity, unitPrice: z.number().min(0) }))
      .min(1)
      .max(500),
  }),
  z.looseObject({
    accountId: id,
    email: z.email(),
    ip: z.string().regex(/^[0-9A-Fa-f:.]{2,45}$/),
    userAgent: z.string().max(2048),
    reason: z.string().optional(),
  }),
  z.looseObject({
    customerId: id,
    changes: z
      .record(
        z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/),
        z.looseObject({ value: z.unknown(), changedAt: timestamp }),
      )
      .refine((changes) => Object.keys(changes).length > 0, 'at least one change'),
  }),
]);

const envelope = z.looseObject({
  specversion: z.literal('1.0'),
  id,
  source: z.string().min(1),
  type: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  time: timestamp,
  subject: z.string().optional(),
  datacontenttype: z.literal('application/json').optional(),
  dataschema: z.string().min(1).optional(),
  dataversion: z.number().int().min(1),
  data,
});

/** Records accepted and rejected, and a checksum of what was read so nothing is dead code. */
export const counts = { valid: 0, invalid: 0, touched: 0 };

export const handler = kafkaConsumer<unknown, z.infer<typeof envelope>>(
  async (event) => {
    for (const record of event.records) {
      // Materialise key and headers (getters decode on access), then the validated value.
      const key = record.key;
      counts.touched += typeof key === 'string' ? key.length : 0;
      for (const header of record.headers ?? []) {
        for (const name in header) counts.touched += header[name]?.length ?? 0;
      }
      try {
        counts.touched += record.value.id.length;
        counts.valid++;
      } catch {
        counts.invalid++;
      }
    }
  },
  { value: { type: SchemaType.JSON, parserSchema: envelope } },
) as unknown as (event: MSKEvent, context: unknown) => Promise<void>;
