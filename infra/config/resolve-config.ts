/**
 * Turns the defaults plus the overrides found in CDK context into a checked
 * {@link StageConfig}, or throws one error that lists every problem at once.
 */
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { configProblems } from './checks';
import {
  defaultStageConfig,
  KAFKA_MODE_DEFAULTS,
  NETWORK_MODE_DEFAULTS,
  SEARCH_MODE_DEFAULTS,
} from './defaults';
import { type StageConfig, StageConfigSchema } from './schema';

/** A stage configuration that does not pass the schema or the cross-field checks. */
export class InvalidStageConfigError extends Error {
  constructor(
    readonly stage: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid configuration of stage "${stage}":\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidStageConfigError';
  }
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Objects merge key by key; arrays, scalars and null replace. */
function deepMerge(base: unknown, override: unknown): unknown {
  if (!isObject(base) || !isObject(override)) return override === undefined ? base : override;
  const merged: Json = { ...base };
  for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(base[key], value);
  return merged;
}

/** Sections with a `mode`: switching mode starts from that mode's defaults, not the old mode's. */
const MODE_DEFAULTS: Record<string, Record<string, unknown>> = {
  network: NETWORK_MODE_DEFAULTS,
  kafka: KAFKA_MODE_DEFAULTS,
  search: SEARCH_MODE_DEFAULTS,
};

function applyOverrides(config: Json, overrides: Json): Json {
  const next: Json = { ...config };
  for (const [key, value] of Object.entries(overrides)) {
    const modes = MODE_DEFAULTS[key];
    const current = config[key];
    if (modes && isObject(value) && isObject(current) && value.mode !== undefined) {
      const base = value.mode === current.mode ? current : (modes[String(value.mode)] ?? {});
      next[key] = deepMerge(base, value);
    } else {
      next[key] = deepMerge(current, value);
    }
  }
  return next;
}

/** The members of a union section, so an error can name the field instead of the union. */
function unionMember(key: string, mode: unknown): TSchema | undefined {
  const section = StageConfigSchema.properties[key as keyof typeof StageConfigSchema.properties];
  const members = (section as { anyOf?: TSchema[] }).anyOf ?? [];
  return members.find(
    (m) => (m.properties?.mode as { const?: unknown } | undefined)?.const === mode,
  );
}

function schemaProblems(config: Json): string[] {
  const problems: string[] = [];
  for (const error of Value.Errors(StageConfigSchema, config)) {
    const key = error.path.slice(1);
    const section = config[key];
    const member = key in MODE_DEFAULTS && isObject(section) && unionMember(key, section.mode);
    if (member) {
      for (const inner of Value.Errors(member, section)) {
        problems.push(`/${key}${inner.path}: ${inner.message}`);
      }
    } else if (key in MODE_DEFAULTS && error.path === `/${key}`) {
      problems.push(
        `/${key}/mode: must be one of ${Object.keys(MODE_DEFAULTS[key] ?? {}).join(', ')}`,
      );
    } else {
      problems.push(`${error.path || '/'}: ${error.message}`);
    }
  }
  return problems;
}

/**
 * Defaults, then each layer of overrides in order (stage entry of `cdk.json`, then `-c`
 * overrides), checked against the schema and the cross-field rules.
 *
 * @example
 * ```ts
 * resolveStageConfig('prod', [{ removalPolicy: 'retain' }, { router: { batchSize: 100 } }]);
 * ```
 */
export function resolveStageConfig(stage: string, layers: readonly unknown[]): StageConfig {
  let config: Json = { ...defaultStageConfig(stage) };
  const problems: string[] = [];
  layers.forEach((layer, i) => {
    if (layer === undefined || layer === null) return;
    if (!isObject(layer)) problems.push(`override layer ${i + 1} must be an object`);
    else config = applyOverrides(config, layer);
  });
  config.stage = stage;
  problems.push(...schemaProblems(config));
  if (problems.length > 0) throw new InvalidStageConfigError(stage, problems);
  const checked = config as StageConfig;
  const crossField = configProblems(checked);
  if (crossField.length > 0) throw new InvalidStageConfigError(stage, crossField);
  return checked;
}
