/**
 * JSON Schema documents for producers, generated from the registry — the same schemas the
 * router validates with. One file per (type, version): the whole CloudEvents envelope with
 * `type` and `dataversion` fixed and `data` described by that version's schema.
 */
import { CloudEventEnvelope, schemaId } from './envelope';
import { EVENT_LIMITS } from './limits';
import { EVENT_TYPES, type EventTypeDefinition } from './registry';

const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

/**
 * The generated files, path (relative to `schemas/`) → JSON text, in a stable order.
 *
 * @example
 * ```ts
 * jsonSchemaFiles().get('ITEM_SOLD/v2.json'); // '{ "$schema": …, "$id": "urn:sluice:events:ITEM_SOLD:v2", … }'
 * ```
 */
export function jsonSchemaFiles(
  definitions: readonly EventTypeDefinition[] = EVENT_TYPES,
): Map<string, string> {
  const files = new Map<string, string>();
  // The limits every value must keep, which JSON Schema keywords cannot state (depth, any
  // string anywhere): an annotation validators ignore and producers can read.
  const limits = { 'x-sluice-limits': EVENT_LIMITS };
  files.set('envelope.json', render({ $schema: DRAFT, ...CloudEventEnvelope, ...limits }));
  for (const definition of definitions) {
    const latest = definition.versions.length;
    for (const { version, schema } of definition.versions) {
      const envelope = structuredClone(CloudEventEnvelope) as unknown as {
        properties: Record<string, unknown>;
        required: string[];
      };
      const document = {
        $schema: DRAFT,
        $id: schemaId(definition.type, version),
        title: `${definition.type} v${version}`,
        description:
          `${definition.description}. Topic: ${definition.topic}.` +
          (version < latest ? ` Superseded by v${latest}; still accepted and upcast.` : ''),
        type: 'object',
        required: [...new Set([...envelope.required, 'dataversion'])],
        properties: {
          ...envelope.properties,
          type: { const: definition.type },
          dataversion: { const: version },
          data: schema,
        },
        ...limits,
      };
      files.set(`${definition.type}/v${version}.json`, render(document));
    }
  }
  return files;
}

function render(document: object): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
