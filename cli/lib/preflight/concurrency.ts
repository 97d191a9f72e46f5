/**
 * Lambda concurrency: the stage's reservations must fit in the account's quota with the 100
 * unreserved executions Lambda keeps for functions without a reservation ("You can reserve up
 * to the Unreserved account concurrency value … minus 100": Lambda developer guide,
 * configuration-concurrency). New accounts may have a quota of 10, which fits no reservation.
 */
import { GetAccountSettingsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { stageReservations } from '../../../infra/config/reservations';
import type { StageConfig } from '../../../infra/config/schema';
import { couldNotCheck, type PreflightCheck } from './check';

/** Unreserved concurrency Lambda keeps for functions that reserve none. */
export const MINIMUM_UNRESERVED = 100;

const ID = 'lambda-concurrency';
const TITLE = 'Lambda concurrency quota';

/**
 * @example
 * ```ts
 * const check = await checkConcurrency(new LambdaClient({}), config);
 * check.status; // 'fail' when the quota is 10 and the stage reserves 47
 * ```
 */
export async function checkConcurrency(
  lambda: LambdaClient,
  config: StageConfig,
): Promise<PreflightCheck> {
  let quota: number;
  let unreserved: number;
  try {
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    quota = settings.AccountLimit?.ConcurrentExecutions ?? 0;
    unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions ?? quota;
  } catch (error) {
    return couldNotCheck(ID, TITLE, error);
  }
  const { total, byFunction } = stageReservations(config);
  const needed = total + MINIMUM_UNRESERVED;
  const who = Object.entries(byFunction)
    .map(([fn, n]) => `${fn} ${n}`)
    .join(', ');
  const found = `quota ${quota}, unreserved now ${unreserved}; the stage reserves ${total}${who ? ` (${who})` : ''}, and Lambda keeps ${MINIMUM_UNRESERVED} unreserved`;
  const fix = `Request a higher quota (Service Quotas → AWS Lambda → Concurrent executions: at least ${needed}), or set "reserveConcurrency": false for the stage in cdk.json (and lower jobs.<job>.maxConcurrency).`;
  if (total > 0 && quota < needed)
    return { id: ID, title: TITLE, status: 'fail', detail: found, fix };
  if (total > 0 && unreserved < needed) {
    return {
      id: ID,
      title: TITLE,
      status: 'warn',
      detail: `${found}: other functions (or this stage, if deployed) hold reservations already`,
      fix: `Fine when this stage is deployed already (its own reservations count in); otherwise free reservations or raise the quota to ${quota - unreserved + needed}.`,
    };
  }
  return { id: ID, title: TITLE, status: 'pass', detail: found };
}
