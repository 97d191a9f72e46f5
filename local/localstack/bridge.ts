/**
 * `npm run local:bridge [-- --stage localstack]`: Kafka → the router function deployed on
 * LocalStack (`npm run local:deploy`), which has no MSK event source mapping. The local
 * event-source emulation consumes each topic with the consumer group and settings the CDK
 * stack would use and invokes the deployed function with the MSK event; LocalStack's own SQS
 * event source mappings run the replay function and the workers. See local/localstack/README.md.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Command } from 'commander';
import { cdklocalEnvironment, LOCALSTACK_STAGE } from './deploy';
import { startRouterBridge } from './router-bridge';

const program = new Command('local:bridge')
  .description('Consume the Kafka topics and invoke the router function deployed on LocalStack')
  .option('--stage <name>', 'stage deployed by npm run local:deploy', LOCALSTACK_STAGE)
  .option('--brokers <list>', 'Kafka bootstrap brokers', '127.0.0.1:9092')
  .action(async (options: { stage: string; brokers: string }) => {
    // LocalStack's endpoint and credentials unless the user points elsewhere.
    const env = cdklocalEnvironment();
    const client = {
      endpoint: env.AWS_ENDPOINT_URL,
      region: env.AWS_REGION,
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID as string,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string,
      },
    };
    const bridge = await startRouterBridge({
      stage: options.stage,
      lambda: new LambdaClient(client),
      sqs: new SQSClient(client),
      bootstrapBrokers: options.brokers.split(','),
      onInvoke: (report) =>
        process.stderr.write(
          `${report.mapping}: ${report.records} records, ${report.outcome} in ${report.durationMs} ms\n`,
        ),
    });
    const topics = bridge.consumerGroups.map((g) => g.topic).join(', ');
    process.stderr.write(`Bridging ${topics} → ${bridge.routerFunction}; Ctrl-C stops\n`);
    await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    await bridge.eventSources.stop();
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(
    `local:bridge failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
