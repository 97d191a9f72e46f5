import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { jsonSchemaFiles } from '../../../functions/events/json-schemas';
import { itemSold, itemSoldV1, loginFailed, sampleEvent } from '../../support/sample-events';

const root = join(import.meta.dirname, '..', '..', '..', 'schemas');

function filesOnDisk(dir = root, prefix = ''): string[] {
  return readdirSync(dir).flatMap((name) =>
    statSync(join(dir, name)).isDirectory()
      ? filesOnDisk(join(dir, name), `${prefix}${name}/`)
      : [`${prefix}${name}`],
  );
}

describe('JSON Schema files for producers', () => {
  const generated = jsonSchemaFiles();

  it('are current: run `npm run schemas` after changing a schema', () => {
    expect(filesOnDisk().sort()).toEqual([...generated.keys()].sort());
    for (const [path, text] of generated) {
      expect(readFileSync(join(root, path), 'utf8'), path).toBe(text);
    }
  });

  it('accept the events the router accepts and reject what it rejects', () => {
    // Formats (date-time, email) are not asserted here: producers pick their own format plugin.
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    const validator = (path: string) => ajv.compile(JSON.parse(generated.get(path) ?? '{}'));
    const itemSoldV2 = validator('ITEM_SOLD/v2.json');
    expect(itemSoldV2(itemSold(1))).toBe(true);
    expect(itemSoldV2(itemSoldV1(1))).toBe(false);
    expect(validator('ITEM_SOLD/v1.json')(itemSoldV1(1))).toBe(true);
    const login = validator('LOGIN_FAILED/v1.json');
    expect(login(loginFailed(1))).toBe(true);
    expect(login({ ...loginFailed(1), data: { accountId: 'a' } })).toBe(false);
    expect(login.errors?.[0]?.instancePath).toBe('/data');
    const envelope = validator('envelope.json');
    for (let n = 0; n < 10; n++) expect(envelope(sampleEvent(n))).toBe(true);
  });

  it('name each schema by the id producers may put in dataschema', () => {
    const document = JSON.parse(generated.get('ITEM_SOLD/v1.json') ?? '{}');
    expect(document.$id).toBe('urn:sluice:events:ITEM_SOLD:v1');
    expect(document.description).toContain('Superseded by v2');
  });
});
