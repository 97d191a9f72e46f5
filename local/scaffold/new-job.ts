/**
 * `npm run new:job -- <name> --events TYPE[,TYPE…] [--batch] [--description "…"]`: scaffolds
 * a job (its definition, code and unit test) and registers it. See scaffold-job.ts.
 */
import { Command } from 'commander';
import { parseEventTypes, ScaffoldError } from './job-options';
import { scaffoldJob } from './scaffold-job';

const program = new Command('new:job')
  .description(
    'Scaffold a job: functions/workers/<name>/{job,handler}.ts, its unit test, its registration',
  )
  .argument('<name>', 'kebab-case job name, e.g. notify-seller')
  .requiredOption(
    '--events <types>',
    'comma-separated event types of the registry it takes (e.g. ITEM_SOLD,PRODUCT_PUBLISHED), or * for every valid event',
  )
  .option('--batch', 'a batch job: defineBatchJob, a chunk of jobs per call (bulk targets)', false)
  .option('--description <text>', 'one line for its definition')
  .action((name: string, options: { events: string; batch: boolean; description?: string }) => {
    const result = scaffoldJob(process.cwd(), {
      name,
      eventTypes: parseEventTypes(options.events),
      batch: options.batch,
      ...(options.description === undefined ? {} : { description: options.description }),
    });
    for (const file of result.created) process.stdout.write(`created  ${file}\n`);
    for (const file of result.edited) process.stdout.write(`edited   ${file}\n`);
    process.stdout.write(
      `\nNext: write its work in functions/workers/${name}/handler.ts, its access and settings in job.ts, then\n  SLUICE_SERVICES=external npx vitest run test/unit/workers/${name}\n`,
    );
  });

try {
  program.parse();
} catch (error) {
  if (!(error instanceof ScaffoldError)) throw error;
  process.stderr.write(`new:job: ${error.message}\n`);
  process.exitCode = 1;
}
