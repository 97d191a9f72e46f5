/**
 * Every regular expression in the project's code runs in linear time. The expressions are
 * collected from the TypeScript sources (regex literals, string arguments of RegExp, schema
 * `pattern`s and anchored pattern strings) and from the generated JSON Schema files, and each
 * is judged by recheck, a ReDoS checker that reports exponential and polynomial (super-linear)
 * backtracking with an attack string.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { checkSync } from 'recheck';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { jsonSchemaFiles } from '../../../functions/events/json-schemas';

const root = join(import.meta.dirname, '..', '..', '..');
const FOLDERS = ['functions', 'local', 'cli', 'infra', 'shared', 'bench'];

/**
 * `new RegExp(x)` calls whose pattern is not a literal, by file: where their patterns come
 * from, which this test collects on their own.
 */
const DYNAMIC_PATTERNS: Readonly<Record<string, string>> = {
  'bench/schema-libraries.ts': 'the anchored pattern strings of its `P` table',
};

/**
 * Super-linear expressions left as they are, each with its reason. An entry that no longer
 * matches a finding fails the test, so the list cannot go stale.
 */
const KNOWN_SUPERLINEAR: Readonly<Record<string, string>> = {};

interface Found {
  where: string;
  source: string;
  flags: string;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** A string literal that reads as a pattern: anchored at its start or its end. */
function looksAnchored(text: string): boolean {
  return text.length > 1 && (text.startsWith('^') || (text.endsWith('$') && !text.endsWith('\\$')));
}

function collect(): { found: Found[]; dynamic: string[] } {
  const found: Found[] = [];
  const dynamic: string[] = [];
  for (const folder of FOLDERS) {
    for (const path of sourceFiles(join(root, folder))) {
      const file = relative(root, path);
      const text = readFileSync(path, 'utf8');
      const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
      const where = (node: ts.Node) =>
        `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
      const visit = (node: ts.Node): void => {
        if (ts.isRegularExpressionLiteral(node)) {
          const literal = node.text;
          const end = literal.lastIndexOf('/');
          found.push({
            where: where(node),
            source: literal.slice(1, end),
            flags: literal.slice(end + 1),
          });
        } else if (
          (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
          ts.isIdentifier(node.expression) &&
          node.expression.text === 'RegExp'
        ) {
          const [pattern, flags] = node.arguments ?? [];
          if (pattern && ts.isStringLiteralLike(pattern)) {
            const flagText = flags && ts.isStringLiteralLike(flags) ? flags.text : '';
            found.push({ where: where(node), source: pattern.text, flags: flagText });
          } else if (!DYNAMIC_PATTERNS[file]) {
            dynamic.push(where(node));
          }
        } else if (
          ts.isPropertyAssignment(node) &&
          node.name.getText(source) === 'pattern' &&
          ts.isStringLiteralLike(node.initializer)
        ) {
          found.push({ where: where(node), source: node.initializer.text, flags: 'u' });
        } else if (ts.isStringLiteralLike(node) && looksAnchored(node.text)) {
          found.push({ where: where(node), source: node.text, flags: 'u' });
        }
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
  }
  return { found, dynamic };
}

/** Patterns of the generated JSON Schema files (`pattern`, `patternProperties`). */
function schemaPatterns(): Found[] {
  const found: Found[] = [];
  const walk = (value: unknown, where: string): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        walk(item, `${where}/${i}`);
      });
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'pattern' && typeof child === 'string') {
          found.push({ where, source: child, flags: 'u' });
        }
        if (key === 'patternProperties' && typeof child === 'object' && child !== null) {
          for (const source of Object.keys(child)) found.push({ where, source, flags: 'u' });
        }
        walk(child, `${where}/${key}`);
      }
    }
  };
  for (const [path, text] of jsonSchemaFiles()) walk(JSON.parse(text), `schemas/${path}#`);
  return found;
}

/** recheck's verdict on one expression: undefined when linear, else what is wrong. */
function verdict({ source, flags }: Found): string | undefined {
  let valid = true;
  try {
    new RegExp(source, flags);
  } catch {
    valid = false;
  }
  // A string that merely looks anchored but is no pattern is not one to judge.
  if (!valid) return undefined;
  const result = checkSync(source, flags, { timeout: 10_000 });
  if (result.status === 'safe') return undefined;
  if (result.status === 'vulnerable') {
    return `${result.complexity.type} (attack: ${result.attack.pattern})`;
  }
  return `not proven linear: ${result.status}`;
}

describe('regular expressions', () => {
  const { found, dynamic } = collect();

  it('are all found: RegExp from a non-literal pattern only where its patterns are collected', () => {
    expect(dynamic).toEqual([]);
    // The collection is not empty by accident: the known ones are in it.
    const sources = new Set(found.map((f) => f.source));
    expect(sources).toContain('^[A-Z][A-Z0-9_]*$');
    expect(sources).toContain('^[^\\s@]+@[^\\s@][^\\s@.]*\\.[^\\s@]+$');
  });

  it('run in linear time (recheck finds no super-linear backtracking)', () => {
    const all = [...found, ...schemaPatterns()];
    const unique = new Map<string, Found>();
    for (const f of all) unique.set(`${f.flags}/${f.source}`, f);
    const known: string[] = [];
    const problems = [...unique.values()].flatMap((f) => {
      const problem = verdict(f);
      if (problem && KNOWN_SUPERLINEAR[f.where]) known.push(f.where);
      return problem && !KNOWN_SUPERLINEAR[f.where]
        ? [`${f.where} /${f.source}/${f.flags}: ${problem}`]
        : [];
    });
    expect(problems).toEqual([]);
    expect(known.sort()).toEqual(Object.keys(KNOWN_SUPERLINEAR).sort());
  }, 120_000);

  it('the checker does fail on a super-linear pattern (the old email check)', () => {
    expect(verdict({ where: 'old', source: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', flags: '' })).toMatch(
      /^polynomial/,
    );
  });
});
