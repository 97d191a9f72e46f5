/**
 * cfn-lint on synthesized templates. cfn-lint is a Python tool: it is installed once from
 * PyPI, pinned, into a virtual environment in the download cache (outside the repository,
 * keyed on the hash of requirements.txt and constraints.txt), like the local moto server.
 * Findings come back as data; nothing is ignored.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../../shared/paths';
import { ensurePinnedVenv } from '../../shared/python-venv';

const here = dirname(fileURLToPath(import.meta.url));

/** One cfn-lint finding, as its JSON output reports it. */
export interface CfnLintFinding {
  readonly Rule: { readonly Id: string; readonly Description: string };
  readonly Level: 'Error' | 'Warning' | 'Informational';
  readonly Message: string;
  readonly Filename: string;
  readonly Location: { readonly Path?: readonly (string | number)[] };
}

export interface CfnLintOptions {
  /** Progress lines (the first run installs cfn-lint from PyPI). */
  readonly progress?: (message: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Creates the virtual environment unless a complete one exists; returns the cfn-lint path.
 *
 * @example
 * ```ts
 * const cfnLint = await ensureCfnLint({ progress: console.log });
 * ```
 */
export async function ensureCfnLint(options: CfnLintOptions = {}): Promise<string> {
  const env = options.env ?? process.env;
  const cache = cacheDir(env);
  const venv = await ensurePinnedVenv({
    tool: 'cfn-lint',
    cacheDir: cache,
    requirements: join(here, 'requirements.txt'),
    constraints: join(here, 'constraints.txt'),
    logFile: join(cache, 'cfn-lint', 'install.log'),
    progress: options.progress ?? (() => {}),
    env,
  });
  return join(venv, 'bin', 'cfn-lint');
}

/**
 * Lints templates; resolves with every finding (errors, warnings, informational).
 *
 * @example
 * ```ts
 * const findings = await cfnLint(['cdk.out/sluice-dev-pipeline.template.json']);
 * const errors = findings.filter((f) => f.Level === 'Error');
 * ```
 */
export async function cfnLint(
  templates: readonly string[],
  options: CfnLintOptions = {},
): Promise<CfnLintFinding[]> {
  if (templates.length === 0) return [];
  const binary = await ensureCfnLint(options);
  const { code, stdout, stderr } = await run(binary, ['--format', 'json', '--', ...templates]);
  // Exit status is a bit mask of levels found (2 error, 4 warning, 8 informational); 1 is a crash.
  if (code === 1 || (code !== 0 && stdout.trim() === '')) {
    throw new Error(`cfn-lint failed (exit ${code}): ${stderr.trim() || stdout.trim()}`);
  }
  return stdout.trim() === '' ? [] : (JSON.parse(stdout) as CfnLintFinding[]);
}

/** A finding as one line: `ERROR E3002 file.template.json Resources/X/Properties: message`. */
export function formatFinding(finding: CfnLintFinding): string {
  const where = (finding.Location.Path ?? []).join('/');
  const file = finding.Filename.split('/').pop();
  return `${finding.Level.toUpperCase()} ${finding.Rule.Id} ${file} ${where}: ${finding.Message}`;
}

function run(
  command: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
