/**
 * The literal-schema-keys esbuild plugin (infra/literal-schema-keys.ts) changes what esbuild
 * can drop, never what the SDK's schema modules build: each module the functions bundle is
 * bundled as an entry (so every export is kept) with and without the plugin, and every export
 * of the two is compared, member thunks resolved.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedBundling } from '../../../infra/bundling';
import { literalKeys, literalSchemaKeys, SCHEMA_MODULE } from '../../../infra/literal-schema-keys';

const require = createRequire(import.meta.url);
const outdir = mkdtempSync(join(tmpdir(), 'sluice-schema-keys-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** The schema modules of the clients the functions use (and of the nested clients). */
const MODULES = [
  '@aws-sdk/client-s3',
  '@aws-sdk/client-sqs',
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/nested-clients/sts',
  '@aws-sdk/nested-clients/sso',
  '@aws-sdk/nested-clients/sso-oidc',
  '@aws-sdk/nested-clients/signin',
  '@aws-sdk/nested-clients/cognito-identity',
].map((name) => {
  const [scope, pkg, sub] = name.split('/');
  const root = fileURLToPath(
    new URL(`../../../node_modules/${scope}/${pkg}/dist-es`, import.meta.url),
  );
  const file = sub
    ? join(root, 'submodules', sub, 'schemas', 'schemas_0.js')
    : join(root, 'schemas', 'schemas_0.js');
  return { name, file };
});

/** The module bundled on its own (CommonJS, minified as deployed), then required. */
async function load(file: string, withPlugin: boolean): Promise<Record<string, unknown>> {
  const { external, mainFields, plugins, ...shared } = sharedBundling('test');
  const outfile = join(outdir, `${file.replace(/\W+/g, '-')}-${withPlugin}.cjs`);
  await build({
    ...shared,
    external: [...external],
    mainFields: [...mainFields],
    plugins: withPlugin ? [...plugins] : [],
    entryPoints: [file],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    sourcemap: false,
    outfile,
    logLevel: 'error',
  });
  return require(outfile) as Record<string, unknown>;
}

/**
 * A stable description of `value`: key order kept, exports named by reference, zero-argument
 * arrow functions (the schemas' `() => X$` member thunks) by what they return, classes by name.
 */
function describeValue(
  value: unknown,
  exports: Map<unknown, string>,
  seen = new Set<unknown>(),
): unknown {
  if (typeof value === 'function') {
    const source = Function.prototype.toString.call(value);
    if (source.startsWith('class') || /^function [A-Z]/.test(source)) return { class: value.name };
    if (value.length === 0 && source.startsWith('()')) {
      return { thunk: describeValue((value as () => unknown)(), exports, seen) };
    }
    return { function: source };
  }
  if (value === null || typeof value !== 'object') return value;
  const name = exports.get(value);
  if (name !== undefined && seen.size > 0) return { ref: name };
  if (seen.has(value)) return { cycle: true };
  const inner = new Set(seen).add(value);
  if (Array.isArray(value)) return value.map((item) => describeValue(item, exports, inner));
  return {
    prototype:
      Object.getPrototypeOf(value) === Object.prototype
        ? 'Object'
        : String(Object.getPrototypeOf(value)),
    entries: Object.entries(value).map(([k, v]) => [k, describeValue(v, exports, inner)]),
  };
}

function describeModule(module: Record<string, unknown>): Record<string, unknown> {
  const exports = new Map<unknown, string>();
  for (const [name, value] of Object.entries(module)) {
    if (value !== null && typeof value === 'object') exports.set(value, name);
  }
  return Object.fromEntries(
    Object.entries(module).map(([name, value]) => [name, describeValue(value, exports)]),
  );
}

describe('literal-schema-keys esbuild plugin', () => {
  it('writes a computed key naming a top-level string constant as that string, nothing else', () => {
    const source = [
      'const _hH = "httpHeader";',
      'const _p = "__proto__";',
      'const _n = 1;',
      'export var A$ = [0, { [_hH]: _x, [_p]: 1, [_n]: 2, [_u]: 3 }, { a: 1, [_hH]: 2 }];',
      'export var B$ = c ? [_hH]: 0;',
    ].join('\n');
    expect(literalKeys(source).split('\n').slice(3)).toEqual([
      'export var A$ = [0, { "httpHeader": _x, [_p]: 1, [_n]: 2, [_u]: 3 }, { a: 1, "httpHeader": 2 }];',
      'export var B$ = c ? [_hH]: 0;',
    ]);
  });

  it('leaves a constant shadowed by another declaration alone', () => {
    const source =
      'const _a = "x";\nexport var A$ = { [_a]: 1 };\nfunction f(){ let _a = "y"; return { [_a]: 2 }; }';
    expect(literalKeys(source)).toBe(source);
  });

  it.each(MODULES)(
    '$name: every export is the same with and without the plugin',
    async ({ file }) => {
      expect(SCHEMA_MODULE.test(file), 'the plugin applies to the module').toBe(true);
      const source = readFileSync(file, 'utf8');
      expect(literalKeys(source), 'the module has computed keys to rewrite').not.toBe(source);
      const plain = await load(file, false);
      const literal = await load(file, true);
      expect(Object.keys(literal)).toEqual(Object.keys(plain));
      expect(Object.keys(plain).length).toBeGreaterThan(5);
      expect(describeModule(literal)).toEqual(describeModule(plain));
    },
  );

  it('is one of the shared bundling options', () => {
    expect(sharedBundling('x').plugins.map((p) => p.name)).toContain(literalSchemaKeys().name);
  });
});
