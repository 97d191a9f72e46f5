/**
 * The simulated shop's stream for one whole-pipeline run (test/e2e, test/localstack): its
 * records on topics named after the run, and the effects they must have with the default
 * abuse thresholds.
 */
import type { TopicKey } from '../../functions/topology/topology';
import { TOPICS } from '../../functions/topology/topology';
import { DEFAULT_ABUSE_THRESHOLDS } from '../../functions/workers/detect-login-abuse/config';
import { expectedEffects } from '../../local/shop/expected-effects';
import { buildScenario, type ScenarioOptions } from '../../local/shop/scenario';

/**
 * @example
 * ```ts
 * const { topicName, scenario, expected } = runScenario(run, { events: 400 });
 * ```
 */
export function runScenario(run: string, options: Omit<ScenarioOptions, 'runId' | 'topicName'>) {
  const topicName = (topic: TopicKey) => `${run}.${TOPICS[topic].name}`;
  const scenario = buildScenario({ ...options, runId: run, topicName });
  return { topicName, scenario, expected: expectedEffects(scenario, DEFAULT_ABUSE_THRESHOLDS) };
}
