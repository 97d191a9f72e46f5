/**
 * The CDK app: `npx cdk synth` works offline, without AWS credentials.
 */
import { App } from 'aws-cdk-lib';
import { gitCodeVersion } from './bundling';
import { readStageConfig } from './config';
import { PipelineStack } from './stacks/pipeline-stack';

const app = new App();
const config = readStageConfig(app.node);
new PipelineStack(app, `sluice-${config.stage}-pipeline`, {
  config,
  codeVersion: gitCodeVersion(),
});
app.synth();
