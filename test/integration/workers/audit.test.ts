/**
 * audit against the real services: jobs on ElasticMQ through the job runtime, documents in
 * the local OpenSearch node's audit index (set up by provisioning, removed afterwards).
 */
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineBatchJob } from '../../../functions/jobs/define-job';
import type { DeadLetter } from '../../../functions/queues/dead-letter';
import type { JobMessage } from '../../../functions/queues/job-message';
import { jobPackBody } from '../../../functions/queues/job-pack';
import { createOpenSearchClient } from '../../../functions/targets/opensearch/client';
import { DOCUMENT_REJECTED } from '../../../functions/targets/opensearch/errors';
import type { AuditDocument } from '../../../functions/targets/opensearch/indexes/audit';
import { METRICS } from '../../../functions/topology/topology';
import { auditJob } from '../../../functions/workers/audit/job';
import { auditCode } from '../../../functions/workers/audit/record-audit';
import { removeStageIndexes } from '../../../local/provision/indexes';
import { opensearchUrlVariable } from '../../../local/services/endpoints';
import { type Handler, messagesIn, pollUntil, receive } from '../../support/esm';
import { jobContainerDeps } from '../../support/job-container';
import { routedJobMessage } from '../../support/job-message';
import { useLocalStage } from '../../support/local-stage';
import { captureMetrics } from '../../support/router';
import { uniqueId } from '../../support/unique-name';

const localStage = useLocalStage('au');
const { stage, sqs } = localStage;
const search = createOpenSearchClient({
  url: process.env[opensearchUrlVariable] as string,
  mode: 'none',
});
let alias = '';

beforeAll(() => {
  alias = localStage.provisioned.indexes.get('audit')?.alias as string;
});

afterAll(async () => {
  await removeStageIndexes(search, stage);
  await search.close();
});

const queue = () => localStage.queueUrl('job-audit');

function container() {
  const metrics = captureMetrics();
  const deps = jobContainerDeps(auditJob, localStage, { metricSink: metrics, codeVersion: 'it' });
  const handler: Handler = defineBatchJob(
    auditJob,
    auditCode({
      search,
      settings: { auditAlias: alias, bulkMaxBytes: 1 << 20 },
      now: () => new Date(),
    }),
    deps,
  );
  return { handler, metric: metrics.total };
}

let offset = 0;
function auditMessage(id: string, overrides: Record<string, unknown> = {}): JobMessage {
  const event = {
    specversion: '1.0',
    id,
    source: 'urn:shop:orders',
    type: 'ITEM_SOLD',
    time: '2026-11-28T10:00:00Z',
    dataversion: 2,
    subject: `order-${id}`,
    data: {
      orderId: `order-${id}`,
      soldAt: '2026-11-28T10:00:00Z',
      lines: [
        {
          lineId: '1',
          productId: 'p-1',
          sellerId: 's-1',
          quantity: 1,
          unitPrice: { amount: 100, currency: 'EUR' },
        },
      ],
    },
    ...overrides,
  };
  return routedJobMessage('audit', event, {
    provenance: {
      topic: 'orders.events',
      partition: 2,
      offset: ++offset,
      timestamp: 1_764_324_000_000,
      key: id,
    },
    routerVersion: 'it',
  });
}

const queueEmpty = async () => (await messagesIn(sqs, queue())) === 0;

async function run(handler: Handler, ...messages: JobMessage[]): Promise<void> {
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: queue(),
      Entries: messages.map((m, i) => ({ Id: String(i), MessageBody: JSON.stringify(m) })),
    }),
  );
  expect(await pollUntil(sqs, queue(), handler, queueEmpty, 15_000)).toBe(true);
}

async function recorded(eventId: string): Promise<AuditDocument[]> {
  await search.indices.refresh({ index: alias });
  const { body } = await search.search({
    index: alias,
    body: { query: { term: { eventId } }, sort: [{ source: 'asc' }] },
  });
  return body.hits.hits.map((hit) => hit._source as unknown as AuditDocument);
}

describe('audit on ElasticMQ and OpenSearch', () => {
  it('records each event once, however often it is delivered', async () => {
    const { handler, metric } = container();
    const id = uniqueId('evt', 4);
    const message = auditMessage(id);
    await run(handler, message, message, { ...message });
    const first = await recorded(id);
    expect(first).toEqual([
      {
        eventId: id,
        source: 'urn:shop:orders',
        type: 'ITEM_SOLD',
        time: '2026-11-28T10:00:00Z',
        subject: `order-${id}`,
        dataversion: 2,
        jobId: message.jobId,
        provenance: message.provenance,
        enqueuedAt: message.enqueuedAt,
        routerVersion: 'it',
        recordedAt: expect.any(String),
        event: message.event,
      },
    ]);
    // A later redelivery (a replay) is "already recorded": the first record stays as it was.
    await run(handler, message);
    expect(await recorded(id)).toEqual(first);
    expect(metric(METRICS.jobs.succeeded)).toBe(4);
    expect(metric(METRICS.jobs.deadLettered)).toBe(0);
  });

  it('keeps events of two sources that happen to share an id apart', async () => {
    const { handler } = container();
    const id = uniqueId('evt', 4);
    await run(
      handler,
      auditMessage(id),
      auditMessage(id, { source: 'urn:shop:identity', type: 'LOGIN_FAILED' }),
    );
    expect((await recorded(id)).map((d) => [d.source, d.type])).toEqual([
      ['urn:shop:identity', 'LOGIN_FAILED'],
      ['urn:shop:orders', 'ITEM_SOLD'],
    ]);
  });

  it('dead-letters an event the mapping refuses and records the rest of the batch', async () => {
    const { handler } = container();
    const good = uniqueId('evt', 4);
    const bad = uniqueId('evt', 4);
    // A leap second: valid RFC 3339, so the event passes its schema, but the index's date
    // parser refuses second 60.
    await run(handler, auditMessage(good), auditMessage(bad, { time: '2026-12-31T23:59:60Z' }));
    expect(await recorded(good)).toHaveLength(1);
    expect(await recorded(bad)).toHaveLength(0);
    const [letter] = (await receive(sqs, localStage.queueUrl('job-audit-dlq'))).map(
      (m) => JSON.parse(m.Body ?? '') as DeadLetter,
    );
    expect(letter).toMatchObject({
      reason: DOCUMENT_REJECTED,
      event: { id: bad },
      error: { class: 'DocumentRejectedError' },
    });
    expect(letter?.error.message).toContain('mapper_parsing_exception');
  });

  it('runs a pack as its jobs: each recorded, one the mapping refuses dead-lettered alone with its own message', async () => {
    const { handler, metric } = container();
    const ids = Array.from({ length: 20 }, () => uniqueId('evt', 4));
    const messages = ids.map((id, i) =>
      auditMessage(id, i === 7 ? { time: '2026-12-31T23:59:60Z' } : {}),
    );
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue(),
        Entries: [{ Id: 'pack', MessageBody: jobPackBody(messages.map((m) => JSON.stringify(m))) }],
      }),
    );
    expect(await pollUntil(sqs, queue(), handler, queueEmpty, 15_000)).toBe(true);
    const counts = await Promise.all(ids.map(async (id) => (await recorded(id)).length));
    expect(counts).toEqual(ids.map((_, i) => (i === 7 ? 0 : 1)));
    const letters = (await receive(sqs, localStage.queueUrl('job-audit-dlq'))).map(
      (m) => JSON.parse(m.Body ?? '') as DeadLetter,
    );
    expect(letters.map((l) => l.job?.message)).toEqual([messages[7]]);
    expect(metric(METRICS.jobs.succeeded)).toBe(19);
    expect(metric(METRICS.jobs.deadLettered)).toBe(1);
  });
});
