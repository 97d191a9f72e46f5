import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { servicePaths } from './paths';
import { selectServices } from './registry';
import { servicesDown, servicesStatus, servicesUp } from './stack';
import { formatStatusTable } from './status-table';

// `npm run services -- up|down|status|logs`: argument parsing and printing only; the
// logic lives in stack.ts so tests and the vitest global setup share it.

const program = new Command('services')
  .description('Local Kafka, SQS (ElasticMQ), DynamoDB/S3 (moto) and OpenSearch for Sluice')
  .showHelpAfterError();

program
  .command('up')
  .description('start services (all when none are named) and wait until they are healthy')
  .argument('[names...]', 'services to start')
  .action(async (names: string[]) => {
    const started = Date.now();
    const results = await servicesUp(names);
    for (const r of results) {
      const pid = r.pid === undefined ? '' : ` (pid ${r.pid})`;
      console.log(`${r.name}: ${r.outcome}${pid}`);
    }
    console.log(`all healthy in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

program
  .command('down')
  .description('stop services that this checkout started (all when none are named)')
  .argument('[names...]', 'services to stop')
  .action(async (names: string[]) => {
    for (const r of await servicesDown(names)) {
      const pid = r.pid === undefined ? '' : ` (pid ${r.pid})`;
      console.log(`${r.name}: ${r.outcome}${pid}`);
    }
  });

program
  .command('status')
  .description('show state, pid, ports, memory and log file of each service')
  .action(async () => {
    console.log(formatStatusTable(await servicesStatus()));
  });

program
  .command('logs')
  .description("print the end of a service's log")
  .argument('<name>', 'service')
  .option('-n, --lines <count>', 'lines to print', '50')
  .option('-f, --follow', 'keep printing as the log grows')
  .action((name: string, options: { lines: string; follow?: boolean }) => {
    selectServices([name]); // throws on an unknown name
    const { logFile } = servicePaths(name);
    if (!existsSync(logFile)) throw new Error(`no log yet: ${logFile}`);
    const args = ['-n', options.lines, ...(options.follow ? ['-F'] : []), logFile];
    spawn('tail', args, { stdio: 'inherit' }).on('exit', (code) => {
      process.exitCode = code ?? 1;
    });
  });

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
