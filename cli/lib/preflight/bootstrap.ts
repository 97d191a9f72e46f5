/**
 * CDK bootstrap: the stacks' templates refuse a bootstrap stack older than version 6 (their
 * CheckBootstrapVersion rule, written by aws-cdk-lib's DefaultStackSynthesizer); the version
 * is the SSM parameter `/cdk-bootstrap/<qualifier>/version` the bootstrap stack writes.
 */
import { GetParameterCommand, ParameterNotFound, type SSMClient } from '@aws-sdk/client-ssm';
import { DefaultStackSynthesizer } from 'aws-cdk-lib';
import { couldNotCheck, type PreflightCheck } from './check';

/** The oldest bootstrap version aws-cdk-lib 2's synthesizer deploys to. */
export const MINIMUM_BOOTSTRAP_VERSION = 6;

/** The parameter that holds the bootstrap version for the default qualifier. */
export const BOOTSTRAP_VERSION_PARAMETER = `/cdk-bootstrap/${DefaultStackSynthesizer.DEFAULT_QUALIFIER}/version`;

const ID = 'cdk-bootstrap';
const TITLE = 'CDK bootstrap';

/**
 * @example
 * ```ts
 * await checkBootstrap(new SSMClient({}), 'aws://123456789012/eu-west-1');
 * ```
 */
export async function checkBootstrap(ssm: SSMClient, environment: string): Promise<PreflightCheck> {
  const fix = `npx cdk bootstrap ${environment}`;
  try {
    const answer = await ssm.send(new GetParameterCommand({ Name: BOOTSTRAP_VERSION_PARAMETER }));
    const version = Number(answer.Parameter?.Value);
    if (!Number.isInteger(version) || version < MINIMUM_BOOTSTRAP_VERSION) {
      return {
        id: ID,
        title: TITLE,
        status: 'fail',
        detail: `bootstrap version ${answer.Parameter?.Value}; at least ${MINIMUM_BOOTSTRAP_VERSION} is needed`,
        fix: `${fix} (upgrades the bootstrap stack in place)`,
      };
    }
    return { id: ID, title: TITLE, status: 'pass', detail: `bootstrap version ${version}` };
  } catch (error) {
    if (error instanceof ParameterNotFound) {
      return {
        id: ID,
        title: TITLE,
        status: 'fail',
        detail: `${BOOTSTRAP_VERSION_PARAMETER} is missing: this account and region are not bootstrapped`,
        fix,
      };
    }
    return couldNotCheck(ID, TITLE, error);
  }
}
