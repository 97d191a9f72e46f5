/**
 * `npm run new:job`: writes a job's definition and code (`functions/workers/<name>/job.ts`,
 * `handler.ts`) and its unit test (`test/unit/workers/<name>/handler.test.ts`) from the
 * templates beside this file, and registers the job in `functions/workers/jobs.ts` (an import
 * and an entry of the list) — the one registration the topology, the CDK stacks, the local
 * runtime, the CLI and the alarms read. Everything is checked before anything is written;
 * what is written is formatted by the project's Biome.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EVENT_TYPES } from '../../functions/events/registry';
import type { RouteKey } from '../../functions/topology/topology';
import { checkJobName, ScaffoldError } from './job-options';

export interface ScaffoldJobOptions {
  /** Kebab-case job name, e.g. `notify-seller`. */
  readonly name: string;
  /** Event types of the registry, or `['*']` for every valid event. */
  readonly eventTypes: readonly RouteKey[];
  /** A batch job (`defineBatchJob`, a chunk of jobs per call) instead of one job per call. */
  readonly batch?: boolean;
  /** One line for the definition; a placeholder naming the event types by default. */
  readonly description?: string;
}

export interface ScaffoldedJob {
  /** Files written, relative to the repository root. */
  readonly created: readonly string[];
  /** Files changed: the registry. */
  readonly edited: readonly string[];
}

/** The registry a job is added to, relative to the repository root. */
export const REGISTRY_FILE = 'functions/workers/jobs.ts';

const TEMPLATES = join(import.meta.dirname, 'templates');
const LINE_WIDTH = 100;

/**
 * Scaffolds a job into the repository at `root`; throws a {@link ScaffoldError} (nothing
 * written) for a bad name, an existing job or an unknown event type.
 *
 * @example
 * ```ts
 * scaffoldJob(process.cwd(), { name: 'notify-seller', eventTypes: ['ITEM_SOLD'] });
 * // { created: ['functions/workers/notify-seller/job.ts', …], edited: ['functions/workers/jobs.ts'] }
 * ```
 */
export function scaffoldJob(root: string, options: ScaffoldJobOptions): ScaffoldedJob {
  const name = checkJobName(options.name);
  const camel = name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const pascal = camel.charAt(0).toUpperCase() + camel.slice(1);
  const batch = options.batch ?? false;
  const types = checkEventTypes(options.eventTypes);

  const files = {
    job: `functions/workers/${name}/job.ts`,
    handler: `functions/workers/${name}/handler.ts`,
    test: `test/unit/workers/${name}/handler.test.ts`,
  };
  for (const dir of [`functions/workers/${name}`, `test/unit/workers/${name}`]) {
    if (existsSync(join(root, dir))) {
      throw new ScaffoldError(`Job "${name}" exists already: ${dir}/ is there`);
    }
  }
  const registry = register(readFileSync(join(root, REGISTRY_FILE), 'utf8'), name, camel);

  const description = (options.description ?? `Runs for ${types.join(', ')}`).trim();
  const values: Record<string, string> = {
    __NAME__: name,
    __CAMEL__: camel,
    __PASCAL__: pascal,
    __BATCH__: String(batch),
    __DEFINE__: batch ? 'defineBatchJob' : 'defineJob',
    __DESCRIPTION__: description.replaceAll('*/', '* /').replace(/\.$/, ''),
    __DESCRIPTION_LITERAL__: description.replaceAll('\\', '\\\\').replaceAll("'", "\\'"),
    __EVENT_TYPES__: arrayProperty('  eventTypes: ', types, ','),
    __EVENT_TYPE_ALIAS__: eventTypeAlias(pascal, types),
    __SAMPLE_TYPES__: sampleTypes(types),
    __JOB_IMPORTS__: testImports(name, camel),
    __ACCESSOR__: /^[a-z][a-z0-9]*$/.test(name) ? `.${name}` : `['${name}']`,
  };
  const contents: Record<keyof typeof files, string> = {
    job: render('job.ts.tmpl', values),
    handler: render(batch ? 'batch-handler.ts.tmpl' : 'handler.ts.tmpl', values),
    test: render('handler.test.ts.tmpl', values),
  };

  for (const key of Object.keys(files) as (keyof typeof files)[]) {
    const path = join(root, files[key]);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, contents[key], { flag: 'wx' });
  }
  writeFileSync(join(root, REGISTRY_FILE), registry);
  const created = Object.values(files);
  formatWithBiome(root, [...created, REGISTRY_FILE]);
  return { created, edited: [REGISTRY_FILE] };
}

/**
 * The project's own formatter and import order applied to what was written, so lines that
 * hold the job's name wrap as Biome wraps them whatever its length. Biome is a dev
 * dependency; without it the files stay as rendered (valid, perhaps not formatted).
 */
function formatWithBiome(root: string, files: readonly string[]): void {
  const biome = join(root, 'node_modules', '.bin', 'biome');
  if (!existsSync(biome)) return;
  try {
    execFileSync(biome, ['check', '--write', ...files], { cwd: root, stdio: 'pipe' });
  } catch (error) {
    const { stdout } = error as { stdout?: Buffer };
    throw new Error(
      `The job is scaffolded, but Biome reports problems in its files:\n${stdout?.toString() ?? String(error)}`,
    );
  }
}

function checkEventTypes(types: readonly RouteKey[]): readonly RouteKey[] {
  if (types.length === 0) throw new ScaffoldError('A job takes at least one event type');
  const known = new Set<string>(EVENT_TYPES.map(({ type }) => type));
  const unknown = types.filter((type) => type !== '*' && !known.has(type));
  if (unknown.length > 0) throw new ScaffoldError(`Unknown event types: ${unknown.join(', ')}`);
  if (types.includes('*') && types.length > 1) {
    throw new ScaffoldError('"*" (every valid event) stands alone');
  }
  return types;
}

/** The registry with the job's import (in order) and its entry at the end of the list. */
function register(source: string, name: string, camel: string): string {
  const identifier = `${camel}Job`;
  const module = `./${name}/job`;
  if (source.includes(`'${module}'`) || source.split(/\W+/).includes(identifier)) {
    throw new ScaffoldError(`Job "${name}" is registered already in ${REGISTRY_FILE}`);
  }
  const lines = source.split('\n');
  const listEnd = lines.findIndex(
    (line, i) => line === ']);' && lines.slice(0, i).some((l) => l.includes('jobRegistry([')),
  );
  const jobImports = lines
    .map((line, index) => ({ index, module: /^import \{ \w+ \} from '(\.\/[^']+)';$/.exec(line) }))
    .filter((entry) => entry.module !== null);
  if (listEnd < 0 || jobImports.length === 0) {
    throw new ScaffoldError(
      `${REGISTRY_FILE} has no "export const JOBS = jobRegistry([" list, one definition a line, after imports of './<job>/job': register the job by hand`,
    );
  }
  lines.splice(listEnd, 0, `  ${identifier},`);
  const after = jobImports.filter((entry) => (entry.module?.[1] ?? '') < module);
  const at = after.length > 0 ? (after.at(-1)?.index ?? 0) + 1 : (jobImports[0]?.index ?? 0);
  lines.splice(at, 0, `import { ${identifier} } from '${module}';`);
  return lines.join('\n');
}

function render(template: string, values: Record<string, string>): string {
  let text = readFileSync(join(TEMPLATES, template), 'utf8');
  for (const [placeholder, value] of Object.entries(values)) {
    text = text.replaceAll(placeholder, value);
  }
  return text;
}

const quoted = (types: readonly string[]) => types.map((type) => `'${type}'`);

/** `prefix[…]suffix` on one line when it fits, else one element a line (Biome's layout). */
function arrayProperty(prefix: string, types: readonly string[], suffix: string): string {
  const oneLine = `${prefix}[${quoted(types).join(', ')}]${suffix}`;
  if (oneLine.length <= LINE_WIDTH) return oneLine;
  const indent = `${/^\s*/.exec(prefix)?.[0] ?? ''}  `;
  return [
    `${prefix}[`,
    ...quoted(types).map((t) => `${indent}${t},`),
    `${indent.slice(2)}]${suffix}`,
  ].join('\n');
}

function eventTypeAlias(pascal: string, types: readonly RouteKey[]): string {
  const head = `export type ${pascal}Event =`;
  if (types.includes('*')) return `${head} LatestEvent;`;
  const oneLine = `${head} LatestEvent<${quoted(types).join(' | ')}>;`;
  if (oneLine.length <= LINE_WIDTH) return oneLine;
  return [
    head,
    ...quoted(types).map((t, i, all) => `  | LatestEvent<${t}>${i === all.length - 1 ? ';' : ''}`),
  ].join('\n');
}

/** The types the generated test sends an event of: all of the registry's for `*`. */
function sampleTypes(types: readonly RouteKey[]): string {
  const list = types.includes('*') ? EVENT_TYPES.map(({ type }) => type) : types;
  return arrayProperty('const TYPES = ', list, ' as const;');
}

/** The test's imports of the job and of the registry, in Biome's order (by path). */
function testImports(name: string, camel: string): string {
  const job = `import { ${camel}Job } from '../../../../functions/workers/${name}/job';`;
  const registry = "import { JOBS, ROUTES } from '../../../../functions/workers/jobs';";
  return `${name}/job` < 'jobs' ? `${job}\n${registry}` : `${registry}\n${job}`;
}
