/**
 * The CDK app: `npx cdk synth` works offline, without AWS credentials. The cdk-nag
 * AwsSolutions pack checks every stack; a finding that is not acknowledged fails synth.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { gitCodeVersion } from '../shared/code-version';
import { readStageConfig } from './config/read-stage-config';
import { buildSluiceStacks } from './sluice-app';

const app = new App();
buildSluiceStacks(app, readStageConfig(app.node), gitCodeVersion());
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
