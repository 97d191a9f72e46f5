/**
 * The whole pipeline against the real local services: a simulated shop publishes more than
 * 5,000 events (about 6 % invalid, about 3 % delivered twice) to per-run Kafka topics; the
 * local event-source emulation runs the deployed handler modules unchanged. Every effect is
 * checked where it lives — OpenSearch, DynamoDB, SQS, the consumer groups' offsets — then
 * the missing schema version is "deployed" and the ingest DLQ redriven to the replay queue.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { Admin } from '@platformatic/kafka';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventParser } from '../../functions/events/parse-event';
import type { DeadLetter } from '../../functions/queues/dead-letter';
import { createRouterDeps } from '../../functions/router/deps';
import { handleReplayEvent } from '../../functions/router/replay';
import { openSearchClientFromEnv } from '../../functions/targets/opensearch/client';
import { resourceName } from '../../functions/topology/naming';
import { jobQueues, ROUTER_QUEUES, TABLES } from '../../functions/topology/topology';
import { JOB_NAMES } from '../../functions/workers/jobs';
import { pipelineEnvironment } from '../../local/dev/environment';
import { importHandlers } from '../../local/dev/handlers';
import { consumerLag } from '../../local/dev/kafka-lag';
import {
  type RunningEventSources,
  startEventSources,
} from '../../local/event-sources/event-sources';
import { stageMappings } from '../../local/event-sources/stage-mappings';
import { type ProvisionedStage, provisionStage } from '../../local/provision/stage';
import { provisionTopics } from '../../local/provision/topics';
import { applyLocalServiceEnv, localEndpoints } from '../../local/services/endpoints';
import { peekAll, scanAll, waitFor } from '../../local/shared/inspect';
import { pipelineQuiet, topicPartitions } from '../../local/shared/pipeline-quiet';
import { queueDepth } from '../../local/shared/queue-counts';
import { writeCatalogRows } from '../../local/shop/catalog-rows';
import { produceRecords } from '../../local/shop/produce';
import { registryKnowingLoginFailedV2 } from '../support/fixed-registry';
import { keepFunctionLogs } from '../support/function-logs';
import { redriveAfterTheFix } from '../support/ingest-redrive';
import { type PipelineUnderTest, stopPipeline } from '../support/pipeline-under-test';
import { runScenario } from '../support/run-scenario';
import { uniqueStage } from '../support/stage';

applyLocalServiceEnv();
const run = uniqueStage('e2e');
keepFunctionLogs(`e2e-${run}`);
const { topicName, scenario, expected } = runScenario(run, { events: 5200 });
const brokers = localEndpoints.kafkaBrokers;

const sqs = new SQSClient({});
const dynamodb = new DynamoDBClient({});
const search = openSearchClientFromEnv(process.env);
const admin = new Admin({ clientId: 'sluice-e2e', bootstrapBrokers: [...brokers] });
let stage: ProvisionedStage;
let eventSources: RunningEventSources;
let kafkaGroups: Array<{ topic: string; group: string }> = [];
/** The replay function's code; the "fix" swaps it for a build that knows one more version. */
let replay: (event: SQSEvent) => Promise<unknown>;

const url = (logical: string) => stage.queueUrls.get(logical) as string;
const pipeline: PipelineUnderTest = { sqs, search, admin, stage: run, queueUrl: url };
const table = (key: keyof typeof TABLES) => resourceName(run, TABLES[key].name);
const alias = (index: 'products' | 'audit' | 'security') => resourceName(run, index);

/** Consumed everything, and nothing is left in any job or replay queue. */
const quiet = () =>
  pipelineQuiet({ admin, sqs, queueUrl: url, consumerGroups: kafkaGroups, topicName });

/** Waits until the pipeline is quiet, then makes every write searchable. */
async function settle(
  what: string,
  until: () => Promise<boolean> = async () => true,
): Promise<void> {
  await waitFor(what, async () => (await quiet()).done && (await until()), {
    timeoutMs: 240_000,
    intervalMs: 1_000,
    progress: async () => (await quiet()).detail,
  });
  // Bulk writes become searchable at the next refresh; a search right after would miss some.
  await search.indices.refresh({ index: [alias('products'), alias('audit'), alias('security')] });
}

beforeAll(async () => {
  stage = await provisionStage(run);
  await provisionTopics(brokers, topicName);
  Object.assign(process.env, pipelineEnvironment(stage, { logLevel: 'INFO' }));
  const handlers = await importHandlers();
  replay = handlers.replay;
  await writeCatalogRows(dynamodb, table('catalog'), scenario.catalog.values());
  const mappings = stageMappings({
    stage: run,
    queueUrls: stage.queueUrls,
    bootstrapBrokers: brokers,
    topicName,
    handlers: { router: handlers.router, replay: (event) => replay(event), jobs: handlers.workers },
    pollWaitSeconds: 1,
  });
  kafkaGroups = mappings.kafka.map((m) => ({ topic: m.topic, group: m.consumerGroupId }));
  eventSources = await startEventSources({ kafka: mappings.kafka, sqs: mappings.sqs });
  await produceRecords(scenario.records, { bootstrapBrokers: brokers });
  await settle('the first pass');
}, 300_000);

afterAll(() => stopPipeline(pipeline, eventSources, kafkaGroups));

describe(`the pipeline end to end (${scenario.records.length} records)`, () => {
  it('commits every record of every topic in the router consumer groups', async () => {
    const lags = (
      await Promise.all(
        kafkaGroups.map(({ topic, group }) =>
          consumerLag(admin, group, [{ topic, partitions: topicPartitions(topic, topicName) }]),
        ),
      )
    ).flat();
    expect(lags.reduce((sum, t) => sum + t.committed, 0)).toBe(scenario.records.length);
    expect(lags.every((t) => t.lag === 0)).toBe(true);
  });

  it('dead-letters every invalid record whole, with its offset, and nothing else', async () => {
    expect(await queueDepth(sqs, url(ROUTER_QUEUES.ingestDlq))).toBe(expected.deadLetters.length);
    const messages = await peekAll(sqs, url(ROUTER_QUEUES.ingestDlq), expected.deadLetters.length);
    const letters = messages.map((m) => JSON.parse(m.Body ?? '') as DeadLetter);
    const values = (list: string[]) => list.sort();
    expect(values(letters.map((l) => l.record?.value ?? ''))).toEqual(
      values(expected.deadLetters.map((r) => r.value.toString('base64'))),
    );
    const reasons = (list: string[]) => list.sort();
    expect(reasons(letters.map((l) => String(l.reason)))).toEqual(
      reasons(expected.deadLetters.map((r) => r.invalid as string)),
    );
    const positions = letters.map(
      (l) => `${l.record?.topic}/${l.record?.partition}/${l.record?.offset}`,
    );
    expect(new Set(positions).size).toBe(letters.length);
    for (const letter of letters) {
      expect(letter.record?.topic.startsWith(run)).toBe(true);
      expect(letter.codeVersion).toBeTruthy();
    }
  });

  it('records every valid event once in the audit index', async () => {
    const ids = [...expected.events.keys()];
    const { body } = await search.count({
      index: alias('audit'),
      body: { query: { terms: { eventId: ids } } },
    });
    expect(body.count).toBe(ids.length);
    const all = await search.count({ index: alias('audit') });
    expect(all.body.count).toBe(ids.length);
  });

  it('indexes each product at its catalog row version, tombstoning the unpublished', async () => {
    const ids = [...scenario.catalog.keys()];
    const { body } = await search.mget({ index: alias('products'), body: { ids } });
    const docs = body.docs as Array<{
      _id: string;
      found: boolean;
      _source?: { version: number; deleted: boolean };
    }>;
    for (const doc of docs) {
      const row = scenario.catalog.get(doc._id);
      expect(doc.found, doc._id).toBe(true);
      expect(doc._source?.version, doc._id).toBe(row?.version);
      expect(doc._source?.deleted, doc._id).toBe(row?.status !== 'PUBLISHED');
    }
    expect(docs).toHaveLength(ids.length);
  });

  it('records one commission per sold line, duplicates included', async () => {
    // Keyed by order and line, so a duplicate cannot add an item; what shows a wrong
    // duplicate is a line missing, an extra line, or an amount that is not the sale's.
    const items = await scanAll(dynamodb, table('commissions'));
    expect(new Set(items.map((i) => `${i.orderId?.S}#${i.lineId?.S}`))).toEqual(
      expected.commissionLines,
    );
    expect(items).toHaveLength(expected.commissionLines.size);
    for (const item of items) {
      const gross = Number(item.quantity?.N) * Number(item.unitAmount?.N);
      expect(Number(item.grossAmount?.N)).toBe(gross);
    }
  });

  it('keeps the newest value of every customer field despite reordering', async () => {
    const items = await scanAll(dynamodb, table('customers'));
    const actual = new Map(
      items.map((item) => [
        item.customerId?.S as string,
        new Map(Object.entries(item.fields?.M ?? {}).map(([f, v]) => [f, v.M?.value?.S])),
      ]),
    );
    expect(actual).toEqual(expected.customers);
  });

  it('counts each failed login once, duplicates included', async () => {
    const items = await scanAll(dynamodb, table('abuseCounters'));
    const counters = new Map(
      items
        // Counters only: not the suspicion records, nor the markers of counted jobs.
        .filter((i) => /^(account|ip)#/.test(i.counterId?.S ?? ''))
        .map((i) => [`${i.kind?.S}#${i.subject?.S}#${i.windowStart?.S}`, Number(i.count?.N)]),
    );
    expect(counters).toEqual(expected.loginFailures);
  });

  it('flags each login-abuse window crossing a threshold exactly once', async () => {
    const items = await scanAll(dynamodb, table('abuseCounters'));
    const suspicions = items
      .filter((i) => i.counterId?.S?.startsWith('suspicion#'))
      .map((i) => `${i.kind?.S}#${i.subject?.S}#${i.windowStart?.S}`);
    expect(suspicions.length).toBe(new Set(suspicions).size);
    expect(new Set(suspicions)).toEqual(expected.suspicions);
    const { body } = await search.count({ index: alias('security') });
    expect(body.count).toBe(expected.suspicions.size);
  });

  it('dead-letters no job', async () => {
    const depths = await Promise.all(
      JOB_NAMES.map((job) => queueDepth(sqs, url(jobQueues(job).dlq))),
    );
    expect(depths).toEqual(JOB_NAMES.map(() => 0));
  });

  it('after the missing schema version is deployed, a DLQ redrive processes its records', async () => {
    // The fix: a build that knows LOGIN_FAILED v2 (v1 upcasts to it unchanged).
    const { deps } = createRouterDeps(process.env, 'sluice-replay');
    const fixed = { ...deps, parser: new EventParser(registryKnowingLoginFailedV2()) };
    let moved: Promise<void> = Promise.resolve();
    replay = async (event) => {
      await moved;
      return handleReplayEvent(event, fixed);
    };

    await redriveAfterTheFix(pipeline, {
      deadLetters: expected.deadLetters,
      settle,
      // Replays wait for the move: ElasticMQ would move their new dead letters again.
      holdReplaysUntil: (done) => {
        moved = done;
      },
    });
  });
});
