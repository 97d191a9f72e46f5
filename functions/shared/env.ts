/**
 * Typed reads of environment variables with clear errors, so a misconfigured function
 * fails at cold start with the variable's name instead of misbehaving later.
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** A required string variable. */
export function requiredString(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new Error(`Environment variable ${name} is required`);
  }
  return value;
}

/** An optional string variable with a default. */
export function optionalString(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

/** An integer variable within [min, max], with a default. */
export function integer(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`Environment variable ${name}="${raw}" must be an integer in [${min}, ${max}]`);
  }
  return value;
}

/** A boolean variable ("true"/"false"), with a default. */
export function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new Error(`Environment variable ${name}="${raw}" must be "true" or "false"`);
}
