/**
 * The CloudEvents 1.0 envelope every Sluice event travels in.
 *
 * The schema version of `data` is the extension attribute `dataversion` (an integer ≥ 1;
 * CloudEvents extension names are lowercase alphanumerics). A producer that sets
 * `dataschema` to one of our schema ids (`urn:sluice:events:<TYPE>:v<N>`) instead may omit
 * `dataversion`. Other extension attributes are allowed and kept.
 */
import type { Static } from '@sinclair/typebox';
// Namespace import: bundles only the builders used (the `Type` object holds every one).
import * as Type from '@sinclair/typebox';
import { Id, Timestamp } from './schemas/common';

export const SPEC_VERSION = '1.0';

export const CloudEventEnvelope = Type.Object(
  {
    specversion: Type.Literal(SPEC_VERSION),
    id: Id,
    source: Type.String({
      minLength: 1,
      maxLength: 1024,
      description: 'Producing service, e.g. urn:shop:catalog',
    }),
    type: Type.String({
      maxLength: 128,
      pattern: '^[A-Z][A-Z0-9_]*$',
      description: 'e.g. PRODUCT_PUBLISHED',
    }),
    time: Timestamp,
    subject: Type.Optional(
      Type.String({ maxLength: 1024, description: 'The entity the event is about' }),
    ),
    datacontenttype: Type.Optional(Type.Literal('application/json')),
    dataschema: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    dataversion: Type.Optional(Type.Integer({ minimum: 1, description: 'Schema version of data' })),
    data: Type.Object({}, { description: 'Validated against the schema of (type, dataversion)' }),
  },
  { $id: 'urn:sluice:events:envelope', title: 'Sluice CloudEvents envelope' },
);

/** An event as the router received it, before `data` is checked against its type's schema. */
export type Envelope = Static<typeof CloudEventEnvelope>;

/** A validated event at the latest schema version of its type: what jobs receive. */
export interface CloudEvent<TType extends string = string, TData = unknown>
  extends Omit<Envelope, 'type' | 'data' | 'dataversion'> {
  type: TType;
  dataversion: number;
  data: TData;
}

/** The schema id of a (type, version), usable as `dataschema` by producers. */
export function schemaId(type: string, version: number): string {
  return `urn:sluice:events:${type}:v${version}`;
}

const SCHEMA_ID = /^urn:sluice:events:([A-Z][A-Z0-9_]*):v([1-9][0-9]{0,5})$/;

/** The version named by a `dataschema` of ours for this type, if it is one. */
export function versionFromSchemaId(
  dataschema: string | undefined,
  type: string,
): number | undefined {
  const match = dataschema === undefined ? null : SCHEMA_ID.exec(dataschema);
  return match && match[1] === type ? Number(match[2]) : undefined;
}
