/**
 * An esbuild plugin that lets esbuild tree-shake the AWS SDK's generated schema modules.
 *
 * Why: every `@aws-sdk/client-*` (3.9xx and later, still in 3.1178) ships one schema module,
 * `dist-es/schemas/schemas_0.js` (the nested clients of the credential providers one per
 * submodule, `dist-es/submodules/<name>/schemas/schemas_0.js`), in which the traits of each
 * member are written with computed keys whose names are top-level string constants:
 *
 * ```js
 * const _hH = "httpHeader";
 * const _xaa = "x-amz-acl";
 * export var PutObjectRequest$ = [3, n0, _POR, 0, [_ACL_, ...], [[0, { [_hH]: _xaa }], ...]];
 * ```
 *
 * esbuild does not follow constants into computed keys, so it must assume `[_hH]` might run
 * code (a `toString()`), keeps every `export var X$ = …` of the module and, with them, every
 * schema of the service — whichever few commands a function sends (client-s3: 67 kB of
 * schemas in the router, 9 kB after this plugin). Upstream: aws/aws-sdk-js-v3#7607,
 * evanw/esbuild#4373, smithy-lang/smithy-typescript#1889.
 *
 * What: in those modules only, `{ [_hH]: _xaa }` becomes `{ "httpHeader": _xaa }` — the key
 * a computed `[_hH]` evaluates to, written as a literal. Only for a name declared exactly once
 * in the module, as a top-level `const _x = "…";` (a string constant, so the computed key's
 * value is known and evaluating it has no effect), only in key position (after `{` or `,`),
 * and never for `"__proto__"` (a literal `__proto__:` key sets the prototype, a computed one
 * creates an own property). The objects built are the same (test/unit/bundling/
 * literal-schema-keys.test.ts compares every export of every schema module the functions
 * bundle, built with and without the plugin); only the side-effect analysis changes.
 *
 * @example
 * ```ts
 * await esbuild.build({ entryPoints: [entry], bundle: true, plugins: [literalSchemaKeys()] });
 * ```
 */
import { readFile } from 'node:fs/promises';
import type { Plugin } from 'esbuild';

/** The SDK's generated schema modules: each client's, and each nested client's. */
export const SCHEMA_MODULE =
  /[\\/]@aws-sdk[\\/](?:client-[a-z0-9-]+|nested-clients)[\\/]dist-es[\\/](?:submodules[\\/][a-z0-9-]+[\\/])?schemas[\\/]schemas_\d+\.js$/;

/** A top-level string constant as the SDK's code generator writes it. */
const STRING_CONSTANT = /^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm;

/** Any declaration of a name the generator uses for constants. */
const DECLARATION = /\b(?:const|let|var|function|class)\s+(_\w+)\b/g;

/** A computed key naming a constant, after `{` or `,` (so never an array in a ternary). */
const COMPUTED_KEY = /([{,]\s*)\[(_\w+)\]:/g;

/**
 * `source` with every computed key `[_x]:` whose `_x` is a top-level string constant of the
 * module written as that string; anything else unchanged.
 *
 * @example
 * ```ts
 * literalKeys('const _hH = "httpHeader";\nexport var A$ = { [_hH]: "x" };');
 * // 'const _hH = "httpHeader";\nexport var A$ = { "httpHeader": "x" };'
 * ```
 */
export function literalKeys(source: string): string {
  // Declared once only: no other binding of the name may shadow the constant.
  const declarations = new Map<string, number>();
  for (const [, name] of source.matchAll(DECLARATION)) {
    if (name !== undefined) declarations.set(name, (declarations.get(name) ?? 0) + 1);
  }
  const strings = new Map<string, string>();
  for (const [, name, literal] of source.matchAll(STRING_CONSTANT)) {
    if (name === undefined || literal === undefined || declarations.get(name) !== 1) continue;
    if (literal === '"__proto__"' || literal.includes('\\')) continue;
    strings.set(name, literal);
  }
  return source.replace(COMPUTED_KEY, (whole, before: string, name: string) => {
    const literal = strings.get(name);
    return literal === undefined ? whole : `${before}${literal}:`;
  });
}

/**
 * @example
 * ```ts
 * await esbuild.build({ ...options, plugins: [literalSchemaKeys()] });
 * ```
 */
export function literalSchemaKeys(): Plugin {
  return {
    name: 'sluice-literal-schema-keys',
    setup(build) {
      build.onLoad({ filter: SCHEMA_MODULE }, async (args) => ({
        contents: literalKeys(await readFile(args.path, 'utf8')),
        loader: 'js',
      }));
    },
  };
}
