/**
 * `npm run chaos [-- --scenarios a,b --events N]`: the chaos suite (see run-chaos.ts). A
 * table per scenario on stderr; the last line on stdout is JSON:
 * `{"scenarios": n, "passed": n, "lostEffects": n, "duplicatedEffects": n, "recoverySeconds": {...}}`.
 * Exits 1 when a scenario failed.
 */
import { Command } from 'commander';
import { positiveInteger } from '../shared/cli-options';
import { formatChaosReport } from './report';
import { runChaos } from './run-chaos';
import { SCENARIOS } from './scenarios';

const program = new Command('chaos')
  .description('Inject faults into the local pipeline and check that nothing is lost or doubled')
  .option(
    '--scenarios <names>',
    `comma-separated, of: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    (value: string) => value.split(',').filter(Boolean),
  )
  .option('--events <n>', 'events the shop publishes per scenario', positiveInteger, 1200)
  .action(async (options: { scenarios?: string[]; events: number }) => {
    const report = await runChaos({ scenarios: options.scenarios, events: options.events });
    process.stderr.write(`\n${formatChaosReport(report)}\n`);
    process.stdout.write(`${JSON.stringify(report.summary)}\n`);
    process.exitCode = report.summary.passed === report.summary.scenarios ? 0 : 1;
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`chaos failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(2);
});
