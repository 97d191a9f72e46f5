/**
 * `npm run bench:cost [-- --events N --rate R --timing alone|concurrent]`: what AWS would bill for N events of the simulated shop
 * (default 10,000, its invalid and duplicate records included) run through the local pipeline
 * with the real handlers under the local event-source emulation, on a stage of its own that is
 * removed afterwards. Counted: every AWS request the functions make and the emulated SQS
 * pollers make for them (an SDK middleware), DynamoDB request units, SQS 64 KB chunks, Lambda
 * GB-seconds from measured durations and the configured memory, log bytes and EMF series.
 * Tables and progress go to stderr; the last stdout line is the JSON summary.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Admin } from '@platformatic/kafka';
import { onFunctionClient } from '../functions/shared/client-hooks';
import { resourceName } from '../functions/topology/naming';
import { type JobName, jobQueues, ROUTER_QUEUES, TABLES } from '../functions/topology/topology';
import { JOB_NAMES } from '../functions/workers/jobs';
import { prefixedTopic } from '../local/chaos/functions-process';
import { settle } from '../local/chaos/run-chaos';
import { pipelineEnvironment } from '../local/dev/environment';
import { importHandlers } from '../local/dev/handlers';
import { pollingSqsClient, startEventSources } from '../local/event-sources/event-sources';
import { stageMappings } from '../local/event-sources/stage-mappings';
import { provisionStage, removeStage } from '../local/provision/stage';
import { provisionTopics } from '../local/provision/topics';
import { applyLocalServiceEnv, localEndpoints } from '../local/services/endpoints';
import { writeCatalogRows } from '../local/shop/catalog-rows';
import { produceRecords } from '../local/shop/produce';
import { buildScenario } from '../local/shop/scenario';
import { configuredMemoryMiB, LambdaMeter } from './support/cost-lambda';
import { LogMeter } from './support/cost-logs';
import { RequestMeter } from './support/cost-meter';
import { costReport } from './support/cost-report';

const SETTLE_TIMEOUT_MS = 30 * 60_000;

const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '10000' },
      rate: { type: 'string' },
      timing: { type: 'string', default: 'alone' },
    },
  });
  const timing = values.timing;
  if (timing !== 'alone' && timing !== 'concurrent') {
    throw new Error('--timing must be alone or concurrent');
  }
  const events = Number(values.events);
  if (!Number.isInteger(events) || events < 1) {
    throw new Error('--events must be a positive integer');
  }
  // Published as fast as possible by default; a rate below the pipeline's throughput keeps the
  // queues short, so durations measure the work rather than waiting behind other invocations.
  const perSecond = values.rate === undefined ? undefined : Number(values.rate);
  if (perSecond !== undefined && !(perSecond > 0)) throw new Error('--rate must be positive');
  applyLocalServiceEnv();

  const stageName = `cost${Date.now().toString(36)}`;
  const topicName = prefixedTopic(stageName);
  const admin = new Admin({
    clientId: 'sluice-bench-cost',
    bootstrapBrokers: [...localEndpoints.kafkaBrokers],
  });
  const sqs = new SQSClient({});
  const dynamodb = new DynamoDBClient({});
  let topics: string[] = [];
  say(`Provisioning stage ${stageName} (removed at the end)…`);
  try {
    const stage = await provisionStage(stageName);
    topics = [...(await provisionTopics(localEndpoints.kafkaBrokers, topicName)).values()];
    Object.assign(process.env, pipelineEnvironment(stage, { logLevel: 'INFO', metrics: true }));

    const owners = new Map<string, string>();
    for (const job of JOB_NAMES) {
      const { queue, dlq } = jobQueues(job);
      for (const name of [queue, dlq]) owners.set(stage.queueUrls.get(name) ?? name, job);
    }
    owners.set(stage.queueUrls.get(ROUTER_QUEUES.replay) ?? '', 'replay');
    const lambda = new LambdaMeter(timing);
    const requests = new RequestMeter(lambda.scope, (url) => owners.get(url));
    const logs = new LogMeter(lambda.scope);
    const removeHook = onFunctionClient((client) => requests.attach(client, 'function'));
    const handlers = await importHandlers();
    removeHook();
    const workers = Object.fromEntries(
      JOB_NAMES.map((job: JobName) => [
        job,
        lambda.wrap(job, configuredMemoryMiB(job), handlers.workers[job]),
      ]),
    );

    const shop = buildScenario({ events, runId: stageName, topicName });
    await writeCatalogRows(
      dynamodb,
      resourceName(stageName, TABLES.catalog.name),
      shop.catalog.values(),
    );
    const invalid = shop.records.filter((r) => r.invalid).length;
    const duplicates = shop.records.filter((r) => r.duplicate).length;
    say(
      `${shop.records.length} records (${invalid} invalid, ${duplicates} duplicates); running the pipeline…`,
    );

    const pollers = pollingSqsClient();
    requests.attach(pollers, 'emulated');
    const mappings = stageMappings({
      stage: stageName,
      queueUrls: stage.queueUrls,
      bootstrapBrokers: localEndpoints.kafkaBrokers,
      topicName,
      handlers: {
        router: lambda.wrap('router', configuredMemoryMiB('router'), handlers.router),
        replay: lambda.wrap('replay', configuredMemoryMiB('replay'), handlers.replay),
        jobs: workers,
      },
      pollWaitSeconds: 1,
    });
    logs.start();
    const eventSources = await startEventSources({
      kafka: mappings.kafka,
      sqs: mappings.sqs,
      sqsClient: pollers,
      onError: (mapping, error) =>
        say(`  ${mapping}: ${error instanceof Error ? error.message : String(error)}`),
    });
    const started = Date.now();
    let seconds = 0;
    try {
      let reported = 0;
      await produceRecords(shop.records, {
        bootstrapBrokers: localEndpoints.kafkaBrokers,
        ...(perSecond ? { perSecond } : {}),
        progress: (sent, total) => {
          if (sent - reported >= 2_000 || sent === total) {
            reported = sent;
            say(`  produced ${sent} / ${total}`);
          }
        },
      });
      const settled = await settle({ sqs, admin, stage, topicName }, SETTLE_TIMEOUT_MS, say);
      if (!settled) throw new Error('The pipeline did not settle in time');
      seconds = (Date.now() - started) / 1000;
      say(`  settled after ${seconds.toFixed(1)} s`);
    } finally {
      await eventSources.stop();
      logs.stop();
      pollers.destroy();
    }
    const summary = costReport(
      {
        events: shop.records.length,
        seconds,
        requests: requests.rows(),
        functions: lambda.functions(),
        logs: logs.functions(),
        metricSeries: logs.metricSeries(),
      },
      say,
    );
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    await removeStage(stageName).catch((error: unknown) =>
      say(`removing the stage failed: ${String(error)}`),
    );
    if (topics.length > 0) await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.close().catch(() => undefined);
    sqs.destroy();
    dynamodb.destroy();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    say(`bench:cost failed: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
