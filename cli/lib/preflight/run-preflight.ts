/**
 * `sluice preflight`: every read-only check of an account and region before a deploy, in
 * one report, and its rendering as a ✓/✗ table with the fix under each failure.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { OpenSearchClient } from '@aws-sdk/client-opensearch';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { StageConfig } from '../../../infra/config/schema';
import { textTable } from '../../../shared/text-table';
import { checkBootstrap } from './bootstrap';
import type { CheckStatus, PreflightCheck } from './check';
import { checkConcurrency } from './concurrency';
import { checkSearchInstanceTypes, reportBrokerType } from './instance-types';
import { checkServiceLinkedRole } from './service-linked-role';
import { checkZones } from './zones';

/** The clients the checks use, all in the stage's region. */
export interface PreflightClients {
  readonly lambda: LambdaClient;
  readonly iam: IAMClient;
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly opensearch: OpenSearchClient;
}

export interface PreflightReport {
  readonly stage: string;
  readonly region: string;
  readonly checks: readonly PreflightCheck[];
  /** Failed checks: the deploy would fail at each. */
  readonly blockers: number;
  /** Checks whose look-up failed (permissions, network): no verdict. */
  readonly unverified: number;
}

/**
 * @example
 * ```ts
 * const report = await runPreflight(clients, config, { region: 'eu-west-1' });
 * process.exitCode = report.blockers + report.unverified > 0 ? 1 : 0;
 * ```
 */
export async function runPreflight(
  clients: PreflightClients,
  config: StageConfig,
  where: { readonly region: string; readonly account?: string },
): Promise<PreflightReport> {
  const environment = `aws://${where.account ?? '<account>'}/${where.region}`;
  const checks = await Promise.all([
    checkBootstrap(clients.ssm, environment),
    checkConcurrency(clients.lambda, config),
    checkServiceLinkedRole(clients.iam, config),
    checkZones(clients.ec2, config),
    checkSearchInstanceTypes(clients.opensearch, config),
    Promise.resolve(reportBrokerType(config)),
  ]);
  return {
    stage: config.stage,
    region: where.region,
    checks,
    blockers: checks.filter((c) => c.status === 'fail').length,
    unverified: checks.filter((c) => c.unverified).length,
  };
}

const MARKS: Record<CheckStatus, string> = { pass: '✓', fail: '✗', warn: '!', skip: '–' };

/**
 * The table and the fixes under it. Pure.
 *
 * @example
 * ```ts
 * process.stdout.write(`${renderPreflight(report)}\n`);
 * ```
 */
export function renderPreflight(report: PreflightReport): string {
  const table = textTable(
    ['', 'CHECK', 'FOUND'],
    report.checks.map((c) => [MARKS[c.status], c.title, c.detail]),
  );
  const fixes = report.checks
    .filter((c) => c.fix && (c.status === 'fail' || c.status === 'warn'))
    .map((c) => `${MARKS[c.status]} ${c.title}: ${c.fix}`);
  const verdict =
    report.blockers > 0
      ? `Stage ${report.stage} in ${report.region}: ${report.blockers} blocker(s); fix them before "npx cdk deploy".`
      : report.unverified > 0
        ? `Stage ${report.stage} in ${report.region}: nothing failed, but ${report.unverified} check(s) could not run: not verified.`
        : `Stage ${report.stage} in ${report.region}: nothing blocks a deploy.`;
  return [table, '', ...(fixes.length > 0 ? ['Fixes:', ...fixes, ''] : []), verdict].join('\n');
}
