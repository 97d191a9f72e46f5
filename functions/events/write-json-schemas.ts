/**
 * `npm run schemas`: writes the JSON Schema files producers use into `schemas/`.
 * A unit test fails when the committed files differ from what this would write.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemaFiles } from './json-schemas';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'schemas');
rmSync(root, { recursive: true, force: true });
const files = jsonSchemaFiles();
for (const [path, text] of files) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
process.stderr.write(`Wrote ${files.size} JSON Schema files to ${root}\n`);
