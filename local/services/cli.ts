/**
 * `npm run services -- up|down|status|logs [names...]`: the native local service stack.
 */
import { spawn } from 'node:child_process';
import { Command } from 'commander';
import { servicePaths } from './paths';
import { servicesDown, servicesStatus, servicesUp } from './stack';

const program = new Command('services').description(
  'Kafka, ElasticMQ (SQS), moto (DynamoDB, S3) and OpenSearch, started natively (no Docker)',
);

program
  .command('up [names...]')
  .description('install (cached) and start services; healthy ones are left alone')
  .action(async (names: string[]) => {
    const started = Date.now();
    await servicesUp(names);
    process.stderr.write(`all healthy in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  });

program
  .command('down [names...]')
  .description('stop services started by `up`')
  .action((names: string[]) => servicesDown(names));

program
  .command('status')
  .description('a table of the services')
  .action(async () => {
    const rows = (await servicesStatus()).map((s) => ({
      service: s.name,
      state: s.external ? `${s.state} (not ours)` : s.state,
      pid: s.pid ?? '',
      ports: s.ports.join(','),
      'rss MiB': s.rssMiB ?? '',
      log: s.logFile,
    }));
    console.table(rows);
  });

program
  .command('logs <name>')
  .description('follow a service log')
  .action((name: string) => {
    spawn('tail', ['-n', '50', '-F', servicePaths(name).logFile], { stdio: 'inherit' });
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`services: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
