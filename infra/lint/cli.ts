/**
 * `tsx infra/lint/cli.ts [cdk.out]`: cfn-lint on every template of a synthesized cloud
 * assembly (`npx cdk synth` first). Exits non-zero on any error; prints every finding.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cfnLint, formatFinding } from './cfn-lint';

const outdir = process.argv[2] ?? 'cdk.out';
const templates = readdirSync(outdir)
  .filter((file) => file.endsWith('.template.json'))
  .map((file) => join(outdir, file));
const findings = await cfnLint(templates, {
  progress: (message) => process.stderr.write(`[cfn-lint] ${message}\n`),
});
for (const finding of findings) process.stdout.write(`${formatFinding(finding)}\n`);
const errors = findings.filter((f) => f.Level === 'Error').length;
process.stdout.write(
  `cfn-lint: ${templates.length} templates, ${errors} errors, ${findings.length - errors} other findings\n`,
);
process.exitCode = errors > 0 ? 1 : 0;
