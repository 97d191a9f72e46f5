/**
 * The `sluice` command line: argument parsing and dispatch only. Every command is a plain
 * function of (context, arguments) in cli/commands/, and `run` takes its output writers, so
 * tests run commands in-process and read what a person would see.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { SluiceError } from '../functions/shared/errors';
import { dlqList } from './commands/dlq-list';
import { dlqRedrive } from './commands/dlq-redrive';
import { dlqShow } from './commands/dlq-show';
import { JOB_STATES, jobShow, jobsList } from './commands/jobs';
import { preflight } from './commands/preflight';
import { replay } from './commands/replay';
import { CliContext, type GlobalOptions } from './lib/context';
import { CliError, type CliIo, EXIT } from './lib/io';

function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    }
    return n;
  };
}

function fraction(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
}

/**
 * Runs `sluice` with `argv` (the arguments after the program name).
 *
 * @returns the exit code
 * @example
 * ```ts
 * const code = await run(['dlq', 'list', '--json'], { stdout: (t) => out.push(t),
 *   stderr: (t) => err.push(t), env: process.env });
 * ```
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const contexts: CliContext[] = [];
  const program = new Command('sluice');
  const context = (): CliContext => {
    const created = new CliContext(io, program.opts<GlobalOptions>());
    contexts.push(created);
    return created;
  };
  const finish = (code: number) => {
    exitCode = code;
  };

  program
    .description(
      'Operate Sluice: preflight before a deploy, dead-letter queues, guarded redrive, replay from Kafka, job records.\n' +
        'Uses the usual AWS environment (profile, region, endpoint variables).',
    )
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError()
    .option(
      '--stage <stage>',
      'stage of the resource names sluice-<stage>-… (default: $SLUICE_STAGE, else dev)',
    )
    .option(
      '--local',
      'use the local stack (also SLUICE_LOCAL=1): fills in its endpoints where unset',
    );

  const dlq = program.command('dlq').description('dead-letter queues: list, show, redrive');

  dlq
    .command('list')
    .description('every DLQ: depth, age of the oldest message, time left before retention drops it')
    .option('--json', 'machine output on stdout')
    .addOption(
      new Option(
        '--age-from <source>',
        'where the oldest age comes from (default: sampled locally, CloudWatch on AWS)',
      ).choices(['cloudwatch', 'sampled']),
    )
    .option('--sample <n>', 'messages read per queue when sampling', integer(1, 10_000), 100)
    .action(async (options) => finish(await dlqList(context(), options)));

  dlq
    .command('show')
    .description('failures grouped by fingerprint (error class + failing path + code version)')
    .argument('<queue>', 'DLQ: ingest-dlq, job-<job>-dlq, or a job name')
    .option('--json', 'machine output on stdout')
    .option('--max <n>', 'read at most this many messages', integer(1, 1_000_000), 1000)
    .option(
      '--visibility-timeout <seconds>',
      'how long read messages stay hidden if this command dies before releasing them',
      integer(1, 43_200),
      60,
    )
    .action(async (queue: string, options) => finish(await dlqShow(context(), queue, options)));

  dlq
    .command('redrive')
    .description(
      'guarded redrive: a canary first, then the rest at a rate limit, stopping when failures stay above the threshold',
    )
    .argument('<queue>', 'DLQ: ingest-dlq, job-<job>-dlq, or a job name')
    .option('--canary <n>', 'canary size (0: no canary)', integer(0, 1000), 10)
    .option(
      '--canary-timeout <seconds>',
      'how long to wait for the canary outcome',
      integer(1, 3600),
      120,
    )
    .option('--rate <n>', 'messages per second for the rest (≤ 500)', integer(1, 500), 10)
    .option('--threshold <share>', 'largest acceptable share of failures, 0–1', fraction, 0.2)
    .option('--min-sample <n>', 'messages moved before the guard judges', integer(1), 20)
    .option(
      '--patience <n>',
      'checks in a row above the threshold that stop the redrive',
      integer(1),
      3,
    )
    .option('--group <fingerprint>', 'only this failure group (see dlq show), moved by hand')
    .option('--to <queue>', 'destination other than the queue the DLQ serves (logical name)')
    .option(
      '--visibility-timeout <seconds>',
      'how long held messages stay hidden if this dies',
      integer(1, 43_200),
      30,
    )
    .option(
      '--settle <seconds>',
      'after the move, how long to wait for the destination to drain',
      integer(0, 3600),
      30,
    )
    .addOption(
      new Option('--poll <ms>', 'progress poll interval')
        .argParser(integer(100, 60_000))
        .default(1000)
        .hideHelp(),
    )
    .option('--json', 'machine output on stdout')
    .action(async (queue: string, o) => {
      const code = await dlqRedrive(context(), queue, {
        canary: o.canary,
        canaryTimeoutSeconds: o.canaryTimeout,
        perSecond: o.rate,
        guard: { threshold: o.threshold, minSample: o.minSample, patience: o.patience },
        ...(o.group ? { group: o.group } : {}),
        ...(o.to ? { to: o.to } : {}),
        visibilityTimeoutSeconds: o.visibilityTimeout,
        settleSeconds: o.settle,
        pollMs: o.poll,
        json: o.json,
      });
      finish(code);
    });

  program
    .command('replay')
    .description("re-run Kafka records through the router's code under a separate consumer group")
    .requiredOption('--topic <topic>', 'topic to replay')
    .requiredOption(
      '--from <position>',
      'offset (digits) or timestamp (ISO 8601, e.g. 2026-11-28T10:00:00Z)',
    )
    .option(
      '--to <position>',
      'last offset (inclusive) or timestamp (exclusive); default: the end at start',
    )
    .option('--partition <n>', 'only this partition', integer(0))
    .option('--batch-size <n>', 'records routed per batch', integer(1, 10_000), 100)
    .option('--brokers <list>', 'Kafka bootstrap brokers (default: $SLUICE_KAFKA_BROKERS)')
    .option('--group-id <id>', 'consumer group (default: sluice-<stage>-replay-<time>)')
    .option('--function <name>', 'AWS: the router function (default: sluice-<stage>-router)')
    .option('--json', 'machine output on stdout')
    .action(async (options) => finish(await replay(context(), options)));

  program
    .command('preflight')
    .description(
      'read-only checks of the account before a deploy: concurrency quota, OpenSearch service-linked role, zone IDs for MSK, CDK bootstrap, instance types',
    )
    .option('--config <json>', 'overrides on top of the stage in cdk.json, like -c sluice:config')
    .option('--json', 'machine output on stdout')
    .action(async (options) => finish(await preflight(context(), options)));

  const job = program.command('job').description('one job record');
  job
    .command('show')
    .description('a job record: state, attempts, last error, failure history')
    .argument('<job-id>', 'the job id (in dead letters, logs and `sluice jobs`)')
    .option('--json', 'machine output on stdout')
    .action(async (jobId: string, options) => finish(await jobShow(context(), jobId, options)));

  program
    .command('jobs')
    .description('job records by type and state, newest first')
    .option('--type <job>', 'job type (default: every job)')
    .addOption(new Option('--state <state>', 'state').choices([...JOB_STATES]).default('dead'))
    .option('--limit <n>', 'at most this many', integer(1, 10_000), 50)
    .option('--json', 'machine output on stdout')
    .action(async (options) => finish(await jobsList(context(), options)));

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    exitCode = reportError(error, io);
  } finally {
    for (const c of contexts) c.close();
  }
  return exitCode;
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has printed its message already; help and version are not failures.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version')
      return EXIT.ok;
    if (error.code === 'commander.help') return EXIT.ok;
    return EXIT.usage;
  }
  if (error instanceof CliError) {
    io.stderr(`error: ${error.message}\n`);
    return error.exitCode;
  }
  const described =
    error instanceof SluiceError
      ? `${error.message}${error.transient ? ' (transient: trying again may work)' : ''}`
      : error instanceof Error
        ? `${error.name}: ${error.message}`
        : String(error);
  io.stderr(`error: ${described}\n`);
  return EXIT.error;
}
