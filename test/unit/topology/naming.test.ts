/**
 * Physical names are made in one place: `resourceName` / `stagePrefix` (functions/topology/
 * naming.ts). A name composed by hand elsewhere (`sluice-${stage}-…`) skips the stage check and
 * drifts from the scheme the CLI, the stacks and the local event-source emulation all rely on: this
 * test reads the source and fails on one.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  jobFunction,
  REPLAY_FUNCTION,
  ROUTER_FUNCTION,
} from '../../../functions/topology/functions';
import { resourceName, stagePrefix } from '../../../functions/topology/naming';

const ROOT = join(__dirname, '..', '..', '..');
const SOURCES = ['functions', 'infra', 'local', 'cli', 'shared', 'bench'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** `sluice-${…}` or `${PREFIX}-` in code, outside comments. */
const HAND_MADE = /`sluice-\$\{|\$\{PREFIX\}-|'sluice-' \+/;

describe('resource names', () => {
  it('are composed only by naming.ts', () => {
    const offenders = SOURCES.flatMap((dir) => sourceFiles(join(ROOT, dir)))
      .filter((file) => !file.endsWith(join('topology', 'naming.ts')))
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => ({ line: line.trim(), where: `${relative(ROOT, file)}:${i + 1}` }))
          .filter(({ line }) => !line.startsWith('*') && !line.startsWith('//'))
          .filter(({ line }) => HAND_MADE.test(line))
          .map(({ where, line }) => `${where}: ${line}`),
      );
    expect(offenders).toEqual([]);
  });

  it('are sluice-<stage>-<name>, and refuse a stage that would break the scheme', () => {
    expect(resourceName('dev', 'ingest-dlq')).toBe('sluice-dev-ingest-dlq');
    expect(stagePrefix('prod')).toBe('sluice-prod');
    expect(() => resourceName('Prod_1', 'x')).toThrow(/Invalid stage "Prod_1"/);
    expect(() => stagePrefix('a'.repeat(25))).toThrow(/Invalid stage/);
  });

  it('name each function once: its logical name and the service its metrics report', () => {
    expect(resourceName('dev', ROUTER_FUNCTION.name)).toBe('sluice-dev-router');
    expect(REPLAY_FUNCTION.service).toBe('sluice-replay');
    expect(jobFunction('audit')).toEqual({ name: 'job-audit', service: 'sluice-job-audit' });
  });
});
