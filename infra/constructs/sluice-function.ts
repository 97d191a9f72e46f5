/**
 * A Sluice Lambda function: arm64, the newest Node.js runtime aws-cdk-lib offers, bundled by
 * local esbuild with the options the benchmark measures, an explicit log group with retention.
 */
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { sharedBundling } from '../bundling';

export interface SluiceFunctionProps {
  /** Path of the handler module, e.g. functions/router/handler.ts. */
  readonly entry: string;
  readonly codeVersion: string;
  readonly timeout: Duration;
  readonly memorySize?: number;
  readonly environment: Record<string, string>;
}

export class SluiceFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: SluiceFunctionProps) {
    super(scope, id);
    const bundling = sharedBundling(props.codeVersion);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize ?? 512,
      logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        forceDockerBundling: false,
        minify: bundling.minify,
        sourceMap: bundling.sourcemap,
        target: bundling.target,
        define: bundling.define,
        externalModules: [...bundling.external],
        mainFields: [...bundling.mainFields],
        format: OutputFormat.CJS,
      },
    });
  }
}
