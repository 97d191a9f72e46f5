/**
 * `npm run local:bridge -- --router-function <name> [--stage S]`: Kafka → the router
 * function deployed on LocalStack, which has no MSK event source mapping. The local runtime
 * consumes each topic with the consumer group the CDK stack would use and invokes the
 * deployed function with the MSK event; LocalStack's own SQS event source mappings run the
 * workers. Untested on our machines (no Docker engine); see the README.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { MSKEvent } from 'aws-lambda';
import { Command } from 'commander';
import { resourceName } from '../../functions/topology/naming';
import { ROUTER_QUEUES } from '../../functions/topology/topology';
import { startEventSources } from '../runtime/event-sources';
import { stageMappings } from '../runtime/stage-mappings';
import { lambdaHandler } from './lambda-handler';

const program = new Command('local:bridge')
  .description('Consume the Kafka topics and invoke the router function deployed on LocalStack')
  .requiredOption('--router-function <name>', 'the deployed router function (stack output)')
  .option('--stage <name>', 'stage the stacks were deployed with', 'local')
  .option('--brokers <list>', 'Kafka bootstrap brokers', '127.0.0.1:9092')
  .action(async (options: { routerFunction: string; stage: string; brokers: string }) => {
    // LocalStack's endpoint unless the user points elsewhere.
    const endpoint = process.env.AWS_ENDPOINT_URL ?? 'http://localhost:4566';
    const lambda = new LambdaClient({ endpoint });
    const router = lambdaHandler<MSKEvent, unknown>(lambda, options.routerFunction);
    const { kafka } = stageMappings({
      stage: options.stage,
      // Only the Kafka mappings are started; the SQS ones (replay, jobs) are LocalStack's.
      queueUrls: new Map([
        [
          ROUTER_QUEUES.replay,
          `${endpoint}/000000000000/${resourceName(options.stage, ROUTER_QUEUES.replay)}`,
        ],
      ]),
      bootstrapBrokers: options.brokers.split(','),
      handlers: { router, replay: async () => undefined, jobs: {} },
    });
    const runtime = await startEventSources({
      kafka,
      onInvoke: (report) =>
        process.stderr.write(
          `${report.mapping}: ${report.records} records, ${report.outcome} in ${report.durationMs} ms\n`,
        ),
    });
    process.stderr.write(
      `Bridging ${kafka.map((m) => m.topic).join(', ')} → ${options.routerFunction}; Ctrl-C stops\n`,
    );
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    await runtime.stop();
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(
    `local:bridge failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
