/**
 * cfn-lint on synthesized templates. cfn-lint is a Python tool: it is installed once from
 * PyPI, pinned, into a virtual environment in the download cache (outside the repository,
 * keyed on the hash of requirements.txt and constraints.txt), like the local moto server.
 * Findings come back as data; nothing is ignored.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../../local/services/paths';
import { runCommand } from '../../local/services/run-command';

const here = dirname(fileURLToPath(import.meta.url));
const requirements = join(here, 'requirements.txt');
const constraints = join(here, 'constraints.txt');
/** Marks a finished install: a venv cannot be built elsewhere and renamed (absolute paths). */
const COMPLETE_MARKER = 'sluice-install-complete';

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

async function venvDir(env: NodeJS.ProcessEnv): Promise<string> {
  const hash = createHash('sha256')
    .update(await readFile(requirements))
    .update(existsSync(constraints) ? await readFile(constraints) : '')
    .digest('hex')
    .slice(0, 12);
  return join(cacheDir(env), 'cfn-lint', hash, 'venv');
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
  const progress = options.progress ?? (() => {});
  const venv = await venvDir(env);
  const binary = join(venv, 'bin', 'cfn-lint');
  if (existsSync(join(venv, COMPLETE_MARKER))) return binary;
  await rm(venv, { recursive: true, force: true });
  mkdirSync(dirname(venv), { recursive: true });
  const logFile = join(dirname(venv), 'install.log');
  const started = Date.now();
  const python = env.SLUICE_PYTHON ?? 'python3';
  progress(`creating a Python virtual environment with ${python} in ${venv}`);
  await runCommand({ command: python, args: ['-m', 'venv', venv], logFile });
  progress('downloading cfn-lint and its dependencies from PyPI');
  await runCommand({
    command: join(venv, 'bin', 'pip'),
    args: [
      'install',
      '--disable-pip-version-check',
      '--progress-bar',
      'off',
      '-r',
      requirements,
      ...(existsSync(constraints) ? ['-c', constraints] : []),
    ],
    logFile,
    onLine: (line) => {
      const wheel = /^\s*Downloading (\S+\.(?:whl|tar\.gz)) \(([^)]*)\)/.exec(line);
      if (wheel) progress(`  ${wheel[1]} (${wheel[2]})`);
    },
  });
  await writeFile(join(venv, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
  progress(`cfn-lint ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return binary;
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
