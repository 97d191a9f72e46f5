/**
 * `npm run local:deploy [-- --stage localstack]`: bootstrap LocalStack and deploy a stage
 * of the CDK app to it (start it first: `npm run services -- up localstack`).
 */
import { Command } from 'commander';
import { deployToLocalStack, LOCALSTACK_STAGE } from './deploy';

const program = new Command('local:deploy')
  .description('Bootstrap LocalStack and deploy a stage of the CDK app to it with cdklocal')
  .option('--stage <name>', 'stage in cdk.json', LOCALSTACK_STAGE)
  .action(async (options: { stage: string }) => {
    const deployment = await deployToLocalStack({
      stage: options.stage,
      onLine: (line) => process.stderr.write(`${line}\n`),
    });
    process.stderr.write(
      `bootstrap ${deployment.bootstrapSeconds.toFixed(1)} s, deploy ${deployment.deploySeconds.toFixed(1)} s\n`,
    );
    process.stdout.write(`${JSON.stringify(deployment.outputs, null, 2)}\n`);
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(
    `local:deploy failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
