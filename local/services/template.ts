import { readFile, writeFile } from 'node:fs/promises';

/**
 * Copies a config template, replacing each `${name}` with `values[name]`. An unknown
 * placeholder is an error, so a typo in a template cannot reach a service as a literal.
 *
 * @param source template file (kept in the repository beside the service module)
 * @param target file written into the service's state folder
 */
export async function renderTemplate(
  source: string,
  target: string,
  values: Readonly<Record<string, string | number>>,
): Promise<void> {
  const text = await readFile(source, 'utf8');
  const rendered = text.replace(/\$\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${source}: no value for \${${name}}`);
    return String(value);
  });
  await writeFile(target, rendered);
}
