/**
 * The chaos suite: for each scenario, a stage of its own, the simulated shop's events, the
 * functions in two processes of their own (router, workers), one fault injected while they
 * work, and afterwards the end-to-end invariants checked where the effects live. Measures
 * how long the pipeline takes, once the fault is over, to settle (every record committed,
 * every job queue empty).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Admin } from '@platformatic/kafka';
import { openSearchClientFromEnv } from '../../functions/targets/opensearch/client';
import { resourceName, routerConsumerGroup } from '../../functions/topology/naming';
import {
  jobQueues,
  ROUTER_QUEUES,
  TABLES,
  TOPICS,
  type TopicKey,
} from '../../functions/topology/topology';
import { DEFAULT_ABUSE_THRESHOLDS } from '../../functions/workers/detect-login-abuse/config';
import { JOB_NAMES } from '../../functions/workers/jobs';
import { consumerLag } from '../dev/kafka-lag';
import { provisionStage, removeStage } from '../provision/stage';
import { provisionTopics } from '../provision/topics';
import { applyLocalServiceEnv, localEndpoints } from '../services/endpoints';
import { servicesRoot } from '../services/paths';
import { servicesUp } from '../services/stack';
import { queueDepth } from '../shared/queue-counts';
import { writeCatalogRows } from '../shop/catalog-rows';
import { expectedEffects } from '../shop/expected-effects';
import { produceRecords } from '../shop/produce';
import { buildScenario, type ShopRecord } from '../shop/scenario';
import { sleep } from './faults';
import { FunctionsProcess, prefixedTopic } from './functions-process';
import { checkInvariants, type EffectCheck } from './invariants';
import { type ChaosScenario, SCENARIOS, type ScenarioContext } from './scenarios';

export interface ChaosOptions {
  /** Scenario names, in order; all of SCENARIOS by default. */
  readonly scenarios?: readonly string[];
  /** Events the shop publishes per scenario (half before the fault, half after). */
  readonly events?: number;
  /** How long a scenario may take to settle after its fault; 20 minutes. */
  readonly settleTimeoutMs?: number;
  /** Progress lines (stderr by default). */
  readonly say?: (line: string) => void;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly description: string;
  readonly stage: string;
  readonly passed: boolean;
  /** From the end of the fault until the pipeline settled; undefined if it never did. */
  readonly recoverySeconds: number | undefined;
  readonly lost: number;
  readonly duplicated: number;
  readonly checks: readonly EffectCheck[];
  /** Where the functions' logs of this scenario are. */
  readonly logs: readonly string[];
  readonly error?: string;
}

export interface ChaosReport {
  readonly results: readonly ScenarioResult[];
  readonly summary: {
    readonly scenarios: number;
    readonly passed: number;
    readonly lostEffects: number;
    readonly duplicatedEffects: number;
    readonly recoverySeconds: Record<string, number | null>;
  };
}

/**
 * @example
 * ```ts
 * const report = await runChaos({ scenarios: ['opensearch-killed'], events: 600 });
 * report.summary.lostEffects; // 0
 * ```
 */
export async function runChaos(options: ChaosOptions = {}): Promise<ChaosReport> {
  const say = options.say ?? ((line: string) => process.stderr.write(`${line}\n`));
  const names = options.scenarios ?? SCENARIOS.map((s) => s.name);
  const chosen = names.map((name) => {
    const scenario = SCENARIOS.find((s) => s.name === name);
    if (!scenario) {
      throw new Error(
        `Unknown scenario "${name}"; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
      );
    }
    return scenario;
  });
  applyLocalServiceEnv();
  await servicesUp([], { progress: (name, message) => say(`  [${name}] ${message}`) });
  const results: ScenarioResult[] = [];
  for (const [i, scenario] of chosen.entries()) {
    say(`\n[${i + 1}/${chosen.length}] ${scenario.name}: ${scenario.description}`);
    results.push(await runScenario(scenario, options, say));
  }
  return {
    results,
    summary: {
      scenarios: results.length,
      passed: results.filter((r) => r.passed).length,
      lostEffects: results.reduce((sum, r) => sum + r.lost, 0),
      duplicatedEffects: results.reduce((sum, r) => sum + r.duplicated, 0),
      recoverySeconds: Object.fromEntries(
        results.map((r) => [r.scenario, r.recoverySeconds ?? null]),
      ),
    },
  };
}

async function runScenario(
  scenario: ChaosScenario,
  options: ChaosOptions,
  say: (line: string) => void,
): Promise<ScenarioResult> {
  const stageName = `ch${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const topicName = prefixedTopic(stageName);
  const logDir = join(servicesRoot, 'chaos');
  mkdirSync(logDir, { recursive: true });
  const logs = (['router', 'workers'] as const).map((role) =>
    join(logDir, `${scenario.name}-${stageName}-${role}.log`),
  );
  const [router, workers] = (['router', 'workers'] as const).map(
    (role, i) =>
      new FunctionsProcess({
        stage: stageName,
        topicPrefix: stageName,
        role,
        logFile: logs[i] as string,
      }),
  ) as [FunctionsProcess, FunctionsProcess];
  const sqs = new SQSClient({});
  const dynamodb = new DynamoDBClient({});
  const search = openSearchClientFromEnv(process.env);
  const admin = new Admin({
    clientId: 'sluice-chaos',
    bootstrapBrokers: [...localEndpoints.kafkaBrokers],
  });
  const base = {
    scenario: scenario.name,
    description: scenario.description,
    stage: stageName,
    logs,
  };
  let topics: string[] = [];
  try {
    const stage = await provisionStage(stageName);
    topics = [...(await provisionTopics(localEndpoints.kafkaBrokers, topicName)).values()];
    const shop = buildScenario({ events: options.events ?? 1200, runId: stageName, topicName });
    const expected = expectedEffects(shop, DEFAULT_ABUSE_THRESHOLDS);
    await writeCatalogRows(
      dynamodb,
      resourceName(stageName, TABLES.catalog.name),
      shop.catalog.values(),
    );
    await Promise.all([router.start(), workers.start()]);

    const lifted = await publishAndInject(scenario, shop.records, { router, workers, say });

    const settled = await settle(
      { sqs, admin, stage, topicName },
      options.settleTimeoutMs ?? 20 * 60_000,
      say,
    );
    const recoverySeconds = settled ? (Date.now() - lifted) / 1000 : undefined;
    const checks = await checkInvariants({ sqs, dynamodb, search }, stage, shop, expected);
    const lost = checks.reduce((sum, c) => sum + c.lost, 0);
    const duplicated = checks.reduce((sum, c) => sum + c.duplicated, 0);
    return {
      ...base,
      passed: settled && lost === 0 && duplicated === 0,
      recoverySeconds,
      lost,
      duplicated,
      checks,
      ...(settled ? {} : { error: 'did not settle in time' }),
    };
  } catch (error) {
    return {
      ...base,
      passed: false,
      recoverySeconds: undefined,
      lost: 0,
      duplicated: 0,
      checks: [],
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    await Promise.allSettled([router.stop(), workers.stop()]);
    await removeStage(stageName).catch(() => undefined);
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    await Promise.allSettled([admin.close(), search.close()]);
    sqs.destroy();
    dynamodb.destroy();
  }
}

/** How long the shop takes to publish a scenario's events when it publishes throughout. */
const PUBLISHING_MS = 20_000;

/** Publishes the events and injects the fault among them; returns when the fault was over. */
async function publishAndInject(
  scenario: ChaosScenario,
  records: readonly ShopRecord[],
  context: ScenarioContext,
): Promise<number> {
  const bootstrapBrokers = localEndpoints.kafkaBrokers;
  const inject = async () => {
    const started = Date.now();
    await scenario.inject(context);
    context.say(`  fault over after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return Date.now();
  };
  if (scenario.publishingPauses) {
    const half = Math.floor(records.length / 2);
    context.say(`  publishing ${half} of ${records.length} events, then the fault, then the rest`);
    await produceRecords(records.slice(0, half), { bootstrapBrokers });
    await sleep(2_000);
    const lifted = await inject();
    await produceRecords(records.slice(half), { bootstrapBrokers });
    return lifted;
  }
  const perSecond = Math.max(1, Math.ceil(records.length / (PUBLISHING_MS / 1000)));
  context.say(
    `  publishing ${records.length} events at ${perSecond}/s; the fault a third of the way in`,
  );
  const publishing = produceRecords(records, { bootstrapBrokers, perSecond, chunk: 10 });
  await sleep(PUBLISHING_MS / 3);
  const lifted = await inject();
  await publishing;
  return lifted;
}

export interface SettleContext {
  readonly sqs: SQSClient;
  readonly admin: Admin;
  readonly stage: { readonly stage: string; readonly queueUrls: ReadonlyMap<string, string> };
  readonly topicName: (topic: TopicKey) => string;
}

/** Waits until every record is committed and every job and replay queue is empty, twice in a row. */
export async function settle(
  context: SettleContext,
  timeoutMs: number,
  say: (line: string) => void,
): Promise<boolean> {
  const { sqs, admin, stage, topicName } = context;
  const groups = (Object.keys(TOPICS) as TopicKey[]).map((key) => ({
    topic: topicName(key),
    group: routerConsumerGroup(stage.stage, TOPICS[key].name),
    partitions: TOPICS[key].partitions,
  }));
  const queues = [...JOB_NAMES.map((job) => jobQueues(job).queue), ROUTER_QUEUES.replay].map(
    (name) => stage.queueUrls.get(name) as string,
  );
  const deadline = Date.now() + timeoutMs;
  let quietBefore = false;
  let lastReport = Date.now();
  while (Date.now() < deadline) {
    const lags = await Promise.all(
      groups.map(({ topic, group, partitions }) =>
        consumerLag(admin, group, [{ topic, partitions }]).catch(() => [{ lag: Number.NaN }]),
      ),
    );
    const lag = lags.flat().reduce((sum, t) => sum + t.lag, 0);
    const waiting = (
      await Promise.all(queues.map((url) => queueDepth(sqs, url).catch(() => Number.NaN)))
    ).reduce((sum, n) => sum + n, 0);
    const quiet = lag === 0 && waiting === 0;
    if (quiet && quietBefore) return true;
    quietBefore = quiet;
    if (Date.now() - lastReport > 15_000) {
      say(`  settling: lag ${lag}, messages in job queues ${waiting}`);
      lastReport = Date.now();
    }
    await sleep(2_000);
  }
  return false;
}
