/**
 * Every `@example` in the TSDoc of the code compiles against the module it documents: each
 * example becomes a small module that imports everything its file exports and runs the
 * example's lines inside an async function. Names an example takes from its context (`deps`,
 * `event`, a client) are declared `any` — what is checked is that the example calls what
 * exists, with arguments and properties the API accepts. An example that calls a function
 * with the wrong arguments, a renamed export or a property that does not exist fails here.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..', '..');
const SOURCES = ['functions', 'infra', 'local', 'cli', 'shared', 'bench'];
/** A name the example takes from its context: declared `any` for the second pass. */
const MISSING_NAME = [
  /^Cannot find name '([^']+)'/,
  /^No value exists in scope for the shorthand property '([^']+)'/,
];

interface Example {
  readonly file: string;
  readonly line: number;
  readonly code: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The ```ts blocks after `@example` in the file's doc comments. */
function examplesOf(file: string): Example[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*@example\b/.test(lines[i] ?? '')) continue;
    let start = i + 1;
    while (start < lines.length && !/^\s*\*\s*```ts\s*$/.test(lines[start] ?? '')) {
      if (/^\s*\*\//.test(lines[start] ?? '')) break;
      start++;
    }
    if (!/```ts/.test(lines[start] ?? '')) continue;
    const body: string[] = [];
    let end = start + 1;
    for (; end < lines.length && !/^\s*\*\s*```\s*$/.test(lines[end] ?? ''); end++) {
      body.push((lines[end] ?? '').replace(/^\s*\* ?/, ''));
    }
    examples.push({ file, line: start + 1, code: body.join('\n') });
    i = end;
  }
  return examples;
}

/**
 * The module an example becomes, beside the file it documents (so the example's own relative
 * imports resolve as written): the file's exports imported, `declared` names given type
 * `any`, the example's lines in a block of an async function.
 */
function moduleFor(
  example: Example,
  fileExports: readonly string[],
  declared: ReadonlySet<string>,
) {
  const own = example.code.split('\n');
  const imports = own.filter((l) => /^import\s/.test(l));
  const body = own.filter((l) => !/^import\s/.test(l)).map((l) => l.replace(/^export /, ''));
  const name = basename(example.file).replace(/\.ts$/, '');
  // What the example imports itself is not imported again from its file.
  const ownImports = new Set(imports.flatMap((l) => l.match(/\b\w+\b/g) ?? []));
  const fromFile = fileExports.filter((n) => !ownImports.has(n));
  return [
    fromFile.length > 0 ? `import { ${fromFile.join(', ')} } from './${name}';` : '',
    ...imports,
    ...[...declared].map((n) => `declare const ${n}: any; type ${n} = any;`),
    'export async function example() {',
    // A block of its own: the example may name a variable as an export of its file.
    '  {',
    ...body.map((l) => `    ${l}`),
    '  }',
    '}',
  ].join('\n');
}

/** Names a module exports (values and types), to bring each example's file into its scope. */
function exportedNames(program: ts.Program, file: string): string[] {
  const source = program.getSourceFile(file);
  const checker = program.getTypeChecker();
  const symbol = source && checker.getSymbolAtLocation(source);
  return symbol ? checker.getExportsOfModule(symbol).map((s) => s.getName()) : [];
}

describe('TSDoc examples', () => {
  it('compile against the modules they document', () => {
    const examples = SOURCES.flatMap((dir) => sourceFiles(join(ROOT, dir))).flatMap(examplesOf);
    expect(examples.length).toBeGreaterThan(150);
    const config = ts.getParsedCommandLineOfConfigFile(
      join(ROOT, 'tsconfig.json'),
      {},
      { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined },
    );
    if (!config) throw new Error('tsconfig.json not readable');
    // Examples are fragments: importing types without `type`, and parameters typed by a
    // context the fragment leaves out, are fine for them.
    const options = {
      ...config.options,
      noEmit: true,
      noUnusedLocals: false,
      noImplicitAny: false,
      verbatimModuleSyntax: false,
      isolatedModules: false,
    };
    const documented = [...new Set(examples.map((e) => e.file))];
    const base = ts.createProgram(documented, options);
    const exportsOf = new Map(documented.map((f) => [f, exportedNames(base, f)]));

    // Pass 1 finds the names each example leaves undeclared; pass 2 checks with them as any.
    const declared = examples.map(() => new Set<string>());
    let failures: string[] = [];
    for (let pass = 1; pass <= 2; pass++) {
      const files = new Map(
        examples.map((example, i) => {
          const fileExports = (exportsOf.get(example.file) ?? []).filter((n) => n !== 'default');
          const text = moduleFor(example, fileExports, declared[i] ?? new Set());
          return [join(dirname(example.file), `.example-${i}.ts`), text] as const;
        }),
      );
      const host = ts.createCompilerHost(options);
      const read = host.readFile.bind(host);
      const exists = host.fileExists.bind(host);
      const getSource = host.getSourceFile.bind(host);
      host.readFile = (name) => files.get(name) ?? read(name);
      host.fileExists = (name) => files.has(name) || exists(name);
      host.getSourceFile = (name, version, onError, create) => {
        const text = files.get(name);
        return text !== undefined
          ? ts.createSourceFile(name, text, version, true)
          : getSource(name, version, onError, create);
      };
      const program = ts.createProgram([...files.keys()], options, host, base);
      failures = [];
      [...files.keys()].forEach((name, i) => {
        const source = program.getSourceFile(name);
        const diagnostics = [
          ...program.getSyntacticDiagnostics(source),
          ...program.getSemanticDiagnostics(source),
        ];
        for (const d of diagnostics) {
          const text = ts.flattenDiagnosticMessageText(d.messageText, ' ');
          const missing = MISSING_NAME.map((re) => re.exec(text)?.[1]).find(Boolean);
          if (pass === 1 && missing) {
            declared[i]?.add(missing);
            continue;
          }
          const example = examples[i] as Example;
          failures.push(`${relative(ROOT, example.file)}:${example.line}: ${text}`);
        }
      });
      if (pass === 1) failures = [];
    }
    expect(failures).toEqual([]);
    // Two whole-program type checks of some 200 modules: 30 s on an idle two-core machine.
  }, 180_000);
});
