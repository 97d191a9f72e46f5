/**
 * The baseline: @aws-lambda-powertools/kafka with a Zod schema equivalent to Sluice's
 * envelope and data schemas. Every key, value and header is read.
 */
import { kafkaConsumer, SchemaType } from '@aws-lambda-powertools/kafka';
import type { MSKEvent } from 'aws-lambda';
import * as z from 'zod';

const id = z.string().min(1).max(256);
const money = z.looseObject({
  amount: z.number().int().min(0),
  currency: z.string().regex(/^[A-Z]{3}$/),
});
const data = z.union([
  z.looseObject({ productId: id, catalogVersion: z.number().int().min(1) }),
  z.looseObject({
    orderId: id,
    soldAt: z.iso.datetime({ offset: true }),
    lines: z
      .array(
        z.looseObject({
          lineId: id,
          productId: id,
          sellerId: id,
          quantity: z.number().int().min(1),
          unitPrice: money,
        }),
      )
      .min(1)
      .max(500),
  }),
  z.looseObject({
    orderId: id,
    soldAt: z.iso.datetime({ offset: true }),
    currency: z.string().regex(/^[A-Z]{3}$/),
    lines: z
      .array(
        z.looseObject({
          productId: id,
          sellerId: id,
          quantity: z.number().int().min(1),
          unitPrice: z.number().min(0),
        }),
      )
      .min(1),
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
    changes: z.record(
      z.string(),
      z.looseObject({ value: z.unknown(), changedAt: z.iso.datetime({ offset: true }) }),
    ),
  }),
]);
const envelope = z.looseObject({
  specversion: z.literal('1.0'),
  id,
  source: z.string().min(1),
  type: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
  time: z.iso.datetime({ offset: true }),
  subject: z.string().optional(),
  datacontenttype: z.literal('application/json').optional(),
  dataversion: z.number().int().min(1),
  data,
});

export const counts = { valid: 0, invalid: 0 };

export const handler = kafkaConsumer<unknown, z.infer<typeof envelope>>(
  async (event) => {
    for (const record of event.records) {
      try {
        // Touch everything, as the router does.
        void record.key;
        void record.headers;
        void record.value;
        counts.valid++;
      } catch {
        counts.invalid++;
      }
    }
  },
  { value: { type: SchemaType.JSON, parserSchema: envelope } },
) as unknown as (event: MSKEvent, context: unknown) => Promise<void>;
