/**
 * A Sluice Lambda function: arm64, the newest Node.js runtime aws-cdk-lib offers, bundled by
 * local esbuild with the options and plugins the benchmark measures (never Docker), source maps, an
 * explicit log group with retention, and a role of its own that may write only to that log
 * group — no AWS managed policies, so every permission is visible in the template.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  AssetHashType,
  DockerImage,
  type Duration,
  type ILocalBundling,
  RemovalPolicy,
  Validations,
} from 'aws-cdk-lib';
import type { ISecurityGroup, IVpc, SubnetSelection } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root: the asset's source folder, and the build's working directory. */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The build script SluiceFunction runs (synthesis is synchronous; esbuild plugins are not). */
const BUILD_SCRIPT = fileURLToPath(new URL('../build-function.ts', import.meta.url));
/** tsx's loader, which lets `node` run the TypeScript build script. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * Local bundling by {@link BUILD_SCRIPT} in a child process. Its fields are part of CDK's
 * asset cache key (functions are dropped when CDK serializes bundling options), so two
 * functions never share a bundle.
 */
class LocalFunctionBuild implements ILocalBundling {
  constructor(
    readonly entry: string,
    readonly codeVersion: string,
  ) {}

  tryBundle(outputDir: string): boolean {
    const run = spawnSync(
      process.execPath,
      ['--import', TSX, BUILD_SCRIPT, this.entry, outputDir, this.codeVersion],
      { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (run.status !== 0) {
      throw new Error(`bundling ${this.entry} failed (${run.status ?? run.signal ?? run.error})`);
    }
    return true;
  }
}

/**
 * A function's code: `entry` bundled by `buildFunction` (infra/bundling.ts) into index.js and
 * index.js.map, hashed by output like NodejsFunction's. Never Docker: the image is a
 * placeholder CDK requires and would only use if the local build declined, which it never does.
 */
function functionCode(entry: string, codeVersion: string): Code {
  return Code.fromAsset(ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('sluice-never-docker'),
      local: new LocalFunctionBuild(resolve(entry), codeVersion),
    },
  });
}

/** Roles that already carry the VPC network-interface statement (a role may be shared). */
const rolesWithVpcAccess = new WeakSet<Role>();

/** The newest Node.js runtime in aws-cdk-lib 2.276; bump with aws-cdk-lib. */
export const FUNCTION_RUNTIME = Runtime.NODEJS_24_X;

export interface SluiceFunctionProps {
  /** Physical name, `sluice-<stage>-<name>`: the ops CLI finds the router by it. */
  readonly functionName: string;
  /** Path of the handler module, e.g. functions/router/handler.ts. */
  readonly entry: string;
  readonly description: string;
  readonly codeVersion: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly logRetention: RetentionDays;
  /** Plain configuration only: credentials come from the role, never from variables. */
  readonly environment: Record<string, string>;
  /** A role shared with another function (the domain's master role); default: its own. */
  readonly role?: Role;
  /** Omitted: the function shares the account's unreserved pool. */
  readonly reservedConcurrency?: number;
  /** Set for functions that reach the domain or the cluster inside the VPC. */
  readonly vpc?: {
    readonly vpc: IVpc;
    readonly subnets: SubnetSelection;
    readonly securityGroups: ISecurityGroup[];
  };
}

/**
 * @example
 * ```ts
 * const router = new SluiceFunction(stack, 'Router', {
 *   functionName: 'sluice-dev-router', entry: 'functions/router/handler.ts',
 *   description: 'MSK → job queues', codeVersion: 'abc123', timeout: Duration.minutes(2),
 *   memorySize: 1024, logRetention: RetentionDays.ONE_MONTH, environment: {},
 * }).function;
 * ```
 */
export class SluiceFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: SluiceFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role =
      props.role ??
      new Role(this, 'Role', {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `Execution role of ${props.functionName}`,
      });
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    if (props.vpc) this.allowVpcNetworkInterfaces();
    // A plain Function (NodejsFunction runs the esbuild CLI, which takes no plugins); same id,
    // so the same logical ID.
    this.function = new LambdaFunction(this, 'Function', {
      functionName: props.functionName,
      description: props.description,
      code: functionCode(props.entry, props.codeVersion),
      handler: 'index.handler',
      runtime: FUNCTION_RUNTIME,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      ...(props.vpc
        ? {
            vpc: props.vpc.vpc,
            vpcSubnets: props.vpc.subnets,
            securityGroups: props.vpc.securityGroups,
          }
        : {}),
    });
  }

  /** What Lambda needs to attach a function to the VPC (the VPC access managed policy's). */
  private allowVpcNetworkInterfaces(): void {
    if (rolesWithVpcAccess.has(this.role)) return;
    rolesWithVpcAccess.add(this.role);
    const statement = new PolicyStatement({
      actions: [
        'ec2:CreateNetworkInterface',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
      ],
      resources: ['*'],
    });
    this.role.addToPolicy(statement);
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Lambda VPC access (and, for the router, the MSK pollers’ DescribeVpcs/DescribeSecurityGroups): EC2 network-interface and Describe actions as in AWSLambdaVPCAccessExecutionRole, on * because Describe* has no resource-level permissions and Lambda names the interfaces.',
    });
  }
}
