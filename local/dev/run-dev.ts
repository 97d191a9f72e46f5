/**
 * `npm run dev`: the whole pipeline on this machine. Services up, a stage provisioned from
 * the topology, the deployed functions' handler modules run by the local event-source
 * emulation, a simulated shop publishing events (bad records among them), and a live summary.
 * Ctrl-C stops everything it started.
 */
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Admin } from '@platformatic/kafka';
import { openSearchClientFromEnv } from '../../functions/targets/opensearch/client';
import { countSearchableProducts } from '../../functions/targets/opensearch/product-search';
import { resourceName } from '../../functions/topology/naming';
import { jobQueues, ROUTER_QUEUES, TABLES, TOPICS } from '../../functions/topology/topology';
import { JOB_NAMES } from '../../functions/workers/jobs';
import { type RunningEventSources, startEventSources } from '../event-sources/event-sources';
import { QueueMissingError } from '../event-sources/sqs-mapping';
import { stageMappings } from '../event-sources/stage-mappings';
import { provisionStage } from '../provision/stage';
import { provisionTopics } from '../provision/topics';
import { applyLocalServiceEnv, localEndpoints } from '../services/endpoints';
import { servicesDown, servicesUp } from '../services/stack';
import { captureOutput } from '../shared/output-capture';
import { queueCounts } from '../shared/queue-counts';
import { writeCatalogRows } from '../shop/catalog-rows';
import { produceRecords } from '../shop/produce';
import { buildScenario } from '../shop/scenario';
import { pipelineEnvironment } from './environment';
import { importHandlers } from './handlers';
import { consumerLag } from './kafka-lag';
import { type DevSnapshot, type JobRow, renderSummary } from './summary';

export interface DevOptions {
  readonly stage: string;
  readonly events: number;
  /** Events published per second. */
  readonly rate: number;
  /** Stop by itself once everything produced has settled (for scripts and CI). */
  readonly exitWhenIdle: boolean;
  /** Leave the services running on exit (the next start is faster). */
  readonly keepServices: boolean;
}

/** Terminal output: the summary goes here; everything else the process prints goes to a log. */
interface Screen {
  draw(text: string): void;
  print(text: string): void;
  /** Gives the terminal back and closes the log. */
  restore(): Promise<void>;
  readonly logFile: string;
}

function takeOverStdout(logDir: string): Screen {
  // The functions log JSON (stdout and stderr) as in Lambda; here it would scroll the summary
  // away, so both go to the log file and only the summary reaches the terminal.
  const capture = captureOutput(join(logDir, 'pipeline.log'));
  const tty = process.stdout.isTTY === true;
  let lastPlain = 0;
  return {
    logFile: capture.logFile,
    draw(text) {
      if (tty) capture.stdout(`\x1b[H\x1b[2J${text}\n`);
      else if (Date.now() - lastPlain > 10_000) {
        lastPlain = Date.now();
        capture.stdout(`${text}\n\n`);
      }
    },
    print(text) {
      capture.stdout(`${text}\n`);
    },
    restore: () => capture.restore(),
  };
}

/** Ctrl-C (or SIGTERM) as a promise and a flag, installed before anything starts. */
function stopSignal(): { readonly requested: () => boolean; readonly promise: Promise<void> } {
  let requested = false;
  const promise = new Promise<void>((resolve) => {
    const on = () => {
      requested = true;
      resolve();
    };
    process.once('SIGINT', on);
    process.once('SIGTERM', on);
  });
  return { requested: () => requested, promise };
}

/** Thrown when Ctrl-C arrives during start-up: nothing is wrong, everything is stopped. */
class Interrupted extends Error {
  override readonly name = 'Interrupted';
}

/**
 * @example
 * ```ts
 * await runDev({ stage: 'dev', events: 2000, rate: 200, exitWhenIdle: false, keepServices: false });
 * ```
 */
export async function runDev(options: DevOptions): Promise<void> {
  const stop = stopSignal();
  const started = Date.now();
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const checkpoint = () => {
    if (stop.requested()) throw new Interrupted('stopped during start-up');
  };
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    await run();
  } catch (error) {
    if (!(error instanceof Interrupted)) throw error;
  } finally {
    // Last in, first out: the event sources drain before the services it uses stop.
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }

  async function run(): Promise<void> {
    applyLocalServiceEnv();
    say('Starting the local services (Kafka, SQS, DynamoDB/S3, OpenSearch)…');
    const up = await servicesUp([], { progress: (name, message) => say(`  [${name}] ${message}`) });
    const ours = up.filter((u) => u.outcome === 'started').map((u) => u.name);
    if (ours.length > 0 && !options.keepServices) {
      cleanup.push(async () => {
        say(`Stopping the services this run started: ${ours.join(', ')}`);
        await servicesDown(ours, { progress: () => undefined });
      });
    }
    checkpoint();

    say(`Provisioning stage "${options.stage}" from the topology…`);
    const stage = await provisionStage(options.stage);
    await provisionTopics(localEndpoints.kafkaBrokers);
    Object.assign(process.env, pipelineEnvironment(stage, { logLevel: 'WARN' }));
    const handlers = await importHandlers();
    checkpoint();

    const runId = `dev-${Date.now().toString(36)}`;
    const scenario = buildScenario({ events: options.events, runId });
    const invalid = scenario.records.filter((r) => r.invalid).length;
    const dynamodb = new DynamoDBClient({});
    await writeCatalogRows(
      dynamodb,
      resourceName(options.stage, TABLES.catalog.name),
      scenario.catalog.values(),
    );

    const screen = takeOverStdout(join(process.cwd(), '.services', 'dev'));
    cleanup.push(() => screen.restore());
    const notes: string[] = [];
    const note = (line: string) => {
      notes.push(`${new Date().toISOString().slice(11, 19)} ${line}`);
      if (notes.length > 4) notes.shift();
    };
    // The SQS server lost the stage's queues (a crash; a clean restart keeps them): create
    // them again, one provisioning at a time. Their messages are gone — the note says so.
    let reprovisioning = false;
    const reprovision = () => {
      if (reprovisioning) return;
      reprovisioning = true;
      provisionStage(options.stage)
        .then(() => note('queues were missing: the stage is provisioned again; replay lost events'))
        .catch((error: unknown) => note(`re-provisioning failed: ${String(error)}`))
        .finally(() => {
          reprovisioning = false;
        });
    };
    const mappings = stageMappings({
      stage: options.stage,
      queueUrls: stage.queueUrls,
      bootstrapBrokers: localEndpoints.kafkaBrokers,
      handlers: { router: handlers.router, replay: handlers.replay, jobs: handlers.workers },
      pollWaitSeconds: 2,
    });
    const eventSources: RunningEventSources = await startEventSources({
      kafka: mappings.kafka,
      sqs: mappings.sqs,
      onError: (mapping, error) => {
        note(`${mapping}: ${error instanceof Error ? error.message : String(error)}`);
        if (error instanceof QueueMissingError) reprovision();
      },
      onInvoke: (report) => {
        if (report.outcome === 'failed') {
          const error = report.error instanceof Error ? report.error.message : String(report.error);
          note(`${report.mapping}: batch of ${report.records} failed: ${error}`);
        }
      },
    });

    cleanup.push(async () => {
      screen.print(
        '\nStopping: the event sources drain (in-flight batches finish, offsets are committed)…',
      );
      await eventSources.stop();
    });

    const produced = { sent: 0, failure: undefined as unknown };
    const producing = produceRecords(scenario.records, {
      bootstrapBrokers: localEndpoints.kafkaBrokers,
      perSecond: options.rate,
      progress: (sent) => {
        produced.sent = sent;
      },
    }).catch((error: unknown) => {
      produced.failure = error;
      note(`producer: ${error instanceof Error ? error.message : String(error)}`);
    });

    const partitionsOf = new Map(
      Object.values(TOPICS).map((t) => [t.name as string, t.partitions]),
    );
    const sqs = new SQSClient({});
    const admin = new Admin({
      clientId: 'sluice-dev',
      bootstrapBrokers: [...localEndpoints.kafkaBrokers],
    });
    const search = openSearchClientFromEnv(process.env);
    const commands = [
      `Search:  curl -s '${localEndpoints.opensearch}/${resourceName(options.stage, 'products')}/_search?q=title:lamp&pretty'`,
      `DLQ:     npm run sluice -- dlq show ingest-dlq --stage ${options.stage} --local`,
      `Queues:  aws --endpoint-url ${localEndpoints.sqs} sqs list-queues --queue-name-prefix sluice-${options.stage}`,
      `Logs:    ${screen.logFile}`,
    ];

    const snapshot = async (): Promise<DevSnapshot> => {
      const stats = new Map(eventSources.stats().map((s) => [s.mapping, s]));
      const depth = (logical: string) => queueCounts(sqs, stage.queueUrls.get(logical) as string);
      const jobs: JobRow[] = await Promise.all(
        JOB_NAMES.map(async (job) => {
          const { queue, dlq } = jobQueues(job);
          const [queued, dead] = await Promise.all([depth(queue), depth(dlq)]);
          const s = stats.get(`job:${job}`);
          return {
            job,
            acknowledged: (s?.records ?? 0) - (s?.failedItems ?? 0),
            failed: s?.failedItems ?? 0,
            visible: queued.visible,
            inFlight: queued.inFlight,
            deadLettered: dead.visible + dead.inFlight,
          };
        }),
      );
      const topics = (
        await Promise.all(
          mappings.kafka.map((m) =>
            consumerLag(admin, m.consumerGroupId, [
              { topic: m.topic, partitions: partitionsOf.get(m.topic) ?? 1 },
            ]),
          ),
        )
      ).flat();
      const [ingest, replay] = await Promise.all([
        depth(ROUTER_QUEUES.ingestDlq),
        depth(ROUTER_QUEUES.replay),
      ]);
      const searchable = await countSearchableProducts(
        search,
        resourceName(options.stage, 'products'),
      ).catch(() => undefined);
      const audit = await search
        .count({ index: resourceName(options.stage, 'audit') })
        .then((r) => r.body.count as number)
        .catch(() => undefined);
      return {
        stage: options.stage,
        elapsedMs: Date.now() - started,
        produced: { sent: produced.sent, total: scenario.records.length, invalid },
        topics,
        jobs,
        ingestDlq: ingest.visible + ingest.inFlight,
        replayQueue: replay.visible + replay.inFlight,
        searchable,
        auditDocuments: audit,
        commands,
        notes: [...notes],
      };
    };

    let last: DevSnapshot | undefined;
    while (!stop.requested()) {
      last = await snapshot().catch((error: unknown) => {
        note(`summary: ${error instanceof Error ? error.message : String(error)}`);
        return last;
      });
      if (last) screen.draw(renderSummary(last));
      // Unattended runs must end: when everything settled, or when events can no longer flow.
      if (options.exitWhenIdle && (produced.failure !== undefined || (last && settled(last))))
        break;
      await Promise.race([stop.promise, new Promise((resolve) => setTimeout(resolve, 1000))]);
    }
    await producing;
    await Promise.allSettled([admin.close(), search.close()]);
    if (last) screen.print(renderSummary(last));
    if (produced.failure !== undefined) {
      throw new Error('The simulated shop could not publish its events', {
        cause: produced.failure,
      });
    }
  }
}

/** Everything produced was consumed and every job queue is empty. */
function settled(s: DevSnapshot): boolean {
  return (
    s.produced.sent === s.produced.total &&
    s.topics.every((t) => t.lag === 0) &&
    s.jobs.every((j) => j.visible === 0 && j.inFlight === 0) &&
    s.replayQueue === 0
  );
}
