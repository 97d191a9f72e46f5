/**
 * `npm run dev [-- --events N --rate R --stage S --exit-when-idle --keep-services]`: the
 * whole pipeline locally with a live summary. See local/dev/run-dev.ts.
 */
import { Command } from 'commander';
import { runDev } from './dev/run-dev';
import { positiveInteger } from './shared/cli-options';

const program = new Command('dev')
  .description('Run the whole pipeline locally: services, provisioning, runtime, a sample shop')
  .option('--stage <name>', 'stage name in resource names', 'dev')
  .option('--events <n>', 'events the simulated shop publishes', positiveInteger, 2000)
  .option('--rate <n>', 'events published per second', positiveInteger, 200)
  .option('--exit-when-idle', 'stop once everything published has settled', false)
  .option('--keep-services', 'leave the services running on exit', false)
  .action(
    async (options: {
      stage: string;
      events: number;
      rate: number;
      exitWhenIdle: boolean;
      keepServices: boolean;
    }) => {
      await runDev(options);
    },
  );

program.parseAsync().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`dev failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
