/**
 * detect-login-abuse against moto (DynamoDB), ElasticMQ (SQS) and the local OpenSearch node,
 * driven through the real job runtime: duplicate deliveries count once, a threshold fires
 * once per window, a run that counted but failed to index finishes on retry with exactly one
 * suspicion document, and neither retries nor a redrive of the job's dead letter count a
 * failure twice.
 */
import { randomBytes } from 'node:crypto';
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, StartMessageMoveTaskCommand } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import type { LoginFailed } from '../../../functions/events/schemas/identity';
import { defineJob } from '../../../functions/jobs/define-job';
import type { JobMessage } from '../../../functions/queues/job-message';
import { type Item, readNum } from '../../../functions/shared/dynamo-attributes';
import { createOpenSearchClient } from '../../../functions/targets/opensearch/client';
import { resourceName } from '../../../functions/topology/naming';
import { INDEXES, TABLES } from '../../../functions/topology/topology';
import type { AbuseConfig } from '../../../functions/workers/detect-login-abuse/config';
import { counterIdOf, type Subject } from '../../../functions/workers/detect-login-abuse/counters';
import {
  detectLoginAbuse,
  detectLoginAbuseCode,
  type LoginFailedEvent,
} from '../../../functions/workers/detect-login-abuse/detect-login-abuse';
import { detectLoginAbuseJob } from '../../../functions/workers/detect-login-abuse/job';
import {
  recordSuspicion,
  type Suspicion,
  suspicionIdOf,
} from '../../../functions/workers/detect-login-abuse/suspicions';
import { windowOf } from '../../../functions/workers/detect-login-abuse/windows';
import { removeStageIndexes } from '../../../local/provision/indexes';
import { opensearchUrlVariable } from '../../../local/services/endpoints';
import { deliver, type Handler, messagesIn, pollUntil, queueArn, receive } from '../../support/esm';
import { jobContainerDeps } from '../../support/job-container';
import { routedJobMessage } from '../../support/job-message';
import { useLocalStage } from '../../support/local-stage';
import { uniqueId } from '../../support/unique-name';

// Provisioning creates the stage's indexes, the security alias among them.
const localStage = useLocalStage('dla');
const { stage, sqs, dynamodb } = localStage;
const search = createOpenSearchClient({
  url: process.env[opensearchUrlVariable] as string,
  mode: 'none',
});
const config: AbuseConfig = {
  table: resourceName(stage, TABLES.abuseCounters.name),
  securityIndex: resourceName(stage, INDEXES.security),
  windowSeconds: 300,
  accountThreshold: 3,
  ipThreshold: 1000,
};
afterAll(async () => {
  await removeStageIndexes(search, stage);
  await search.close();
});

const queue = () => localStage.queueUrl('job-detect-login-abuse');
const dlq = () => localStage.queueUrl('job-detect-login-abuse-dlq');

/**
 * A handler over the real job runtime (backoff 0, so a failed job is visible again at once and its
 * retries run back to back).
 */
function container(abuse: AbuseConfig = config): Handler {
  const deps = jobContainerDeps(detectLoginAbuseJob, localStage, { leaseSeconds: 2 });
  const code = detectLoginAbuseCode({ dynamodb, search, config: abuse, now: () => new Date() });
  return defineJob(detectLoginAbuseJob, code, deps);
}

function failedLogin(id: string, time: string, data: Partial<LoginFailed>): LoginFailedEvent {
  return {
    specversion: '1.0',
    id,
    source: 'urn:shop:identity',
    type: 'LOGIN_FAILED',
    time,
    dataversion: 1,
    data: {
      accountId: 'acc',
      email: 'someone@example.com',
      ip: '203.0.113.9',
      userAgent: 'curl/8',
      reason: 'BAD_PASSWORD',
      ...data,
    },
  };
}

async function send(event: LoginFailedEvent): Promise<JobMessage> {
  const message: JobMessage = routedJobMessage('detect-login-abuse', event, {
    provenance: { topic: 'identity.events' },
  });
  await sqs.send(
    new SendMessageCommand({ QueueUrl: queue(), MessageBody: JSON.stringify(message) }),
  );
  return message;
}

async function counter(subject: Subject, time: string): Promise<number | undefined> {
  const { Item: item } = await dynamodb.send(
    new GetItemCommand({
      TableName: config.table,
      Key: { counterId: { S: counterIdOf(subject, windowOf(time, config.windowSeconds)) } },
      ConsistentRead: true,
    }),
  );
  return item && readNum(item, 'count');
}

/** Suspicion records of the stage's table (unique to this run). */
async function suspicionRecords(): Promise<Item[]> {
  const { Items = [] } = await dynamodb.send(
    new ScanCommand({
      TableName: config.table,
      FilterExpression: 'begins_with(counterId, :p)',
      ExpressionAttributeValues: { ':p': { S: 'suspicion#' } },
    }),
  );
  return Items;
}

/** Documents in the stage's security index (unique to this run). */
async function documents(): Promise<Suspicion[]> {
  await search.indices.refresh({ index: config.securityIndex });
  const { body } = await search.search({
    index: config.securityIndex,
    body: { query: { match_all: {} }, size: 100 },
  });
  return body.hits.hits.map((hit) => hit._source as unknown as Suspicion);
}

const queueEmpty = async () => (await receive(sqs, queue(), 10, 0)).length === 0;

describe('detect-login-abuse on moto, ElasticMQ and OpenSearch', () => {
  it('counts duplicates once and flags an account once per window', async () => {
    const accountId = uniqueId('acc', 4);
    // Five failures in one window, three in the next; every one delivered twice.
    const times = [
      '2026-11-28T10:00:05Z',
      '2026-11-28T10:01:00Z',
      '2026-11-28T10:02:30+00:00',
      '2026-11-28T11:03:00+01:00', // 10:03 UTC
      '2026-11-28T10:04:59.999Z',
      '2026-11-28T10:05:00Z',
      '2026-11-28T10:06:00Z',
      '2026-11-28T10:09:59Z',
    ];
    const events = times.map((time, i) =>
      failedLogin(`${accountId}-${i}`, time, { accountId, ip: `198.51.100.${i}` }),
    );
    for (const event of events) {
      await send(event);
      await send(event);
    }
    const handler = container();
    const drained = await pollUntil(sqs, queue(), handler, queueEmpty, 25_000);
    expect(drained).toBe(true);

    const account: Subject = { kind: 'account', value: accountId };
    expect(await counter(account, times[0] as string)).toBe(5);
    expect(await counter(account, times[5] as string)).toBe(3);
    expect(await counter({ kind: 'ip', value: '198.51.100.0' }, times[0] as string)).toBe(1);
    const docs = await documents();
    expect(docs.map((d) => [d.kind, d.subject, d.windowStart]).sort()).toEqual([
      ['account', accountId, '2026-11-28T10:00:00.000Z'],
      ['account', accountId, '2026-11-28T10:05:00.000Z'],
    ]);
    // The count when the suspicion was recorded: at or above the threshold (3), at most the
    // window's failures (jobs of one batch run side by side, so which one records it varies).
    const [first, second] = [...docs].sort((a, b) => a.windowStart.localeCompare(b.windowStart));
    expect(first?.failures).toBeGreaterThanOrEqual(3);
    expect(first?.failures).toBeLessThanOrEqual(5);
    expect(second?.failures).toBe(3);
    expect(docs.map((d) => d.suspicionId).sort()).toEqual(
      [times[0], times[5]]
        .map((t) => suspicionIdOf(account, windowOf(t as string, config.windowSeconds)))
        .sort(),
    );
    const records = await suspicionRecords();
    expect(records).toHaveLength(2);
    expect(records.every((r) => r.indexed?.BOOL === true)).toBe(true);
  });

  it('a retry after the index refused the write ends with exactly one document', async () => {
    const accountId = uniqueId('acc', 4);
    const at = (second: number) => `2026-11-28T12:00:${String(second).padStart(2, '0')}Z`;
    const events = [1, 2, 3, 4].map((n) => failedLogin(`${accountId}-${n}`, at(n), { accountId }));
    const handler = container();
    for (const event of events.slice(0, 2)) await send(event);
    expect(await pollUntil(sqs, queue(), handler, queueEmpty, 10_000)).toBe(true);
    const before = (await documents()).length;

    // The third failure crosses the threshold while the index refuses writes (429).
    await search.indices.putSettings({
      index: config.securityIndex,
      body: { 'index.blocks.read_only_allow_delete': true },
    });
    try {
      await send(events[2] as LoginFailedEvent);
      const [message] = await receive(sqs, queue(), 1);
      const response = await deliver(sqs, queue(), await queueArn(sqs, queue()), handler, [
        message as never,
      ]);
      expect(response.batchItemFailures).toHaveLength(1);
    } finally {
      await search.indices.putSettings({
        index: config.securityIndex,
        body: { 'index.blocks.read_only_allow_delete': null },
      });
    }
    const pending = (await suspicionRecords()).filter((r) => r.indexed?.BOOL === false);
    expect(pending).toHaveLength(1);
    expect((await documents()).length).toBe(before);

    // The job runtime retries it (its failure is counted already: still 3), a fourth arrives (4).
    await send(events[3] as LoginFailedEvent);
    const done = async () => (await documents()).length > before && (await queueEmpty());
    expect(await pollUntil(sqs, queue(), handler, done, 20_000)).toBe(true);
    const docs = (await documents()).filter((d) => d.subject === accountId);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ failures: 3, eventId: events[2]?.id, threshold: 3 });
    expect(await counter({ kind: 'account', value: accountId }, at(1))).toBe(4);
    const record = (await suspicionRecords()).find(
      (r) => r.counterId?.S === `suspicion#${docs[0]?.suspicionId}`,
    );
    expect(record?.indexed?.BOOL).toBe(true);
  });

  it('flags an IP once whatever the case of its hex digits; the first record wins', async () => {
    const deps = {
      dynamodb,
      search,
      config: { ...config, ipThreshold: 2 },
      now: () => new Date(),
    };
    const ip = `2001:db8::${randomBytes(2).toString('hex')}`;
    const time = '2026-11-28T14:00:00Z';
    const first = await detectLoginAbuse(
      deps,
      failedLogin(`ip-${ip}-1`, time, { accountId: `acc-${ip}-1`, ip: ip.toUpperCase() }),
      `job-${ip}-1`,
    );
    expect(first.flagged).toEqual([]);
    const second = await detectLoginAbuse(
      deps,
      failedLogin(`ip-${ip}-2`, time, { accountId: `acc-${ip}-2`, ip }),
      `job-${ip}-2`,
    );
    expect(second.counts.ip).toBe(2);
    expect(second.flagged.map((s) => [s.kind, s.subject, s.failures])).toEqual([['ip', ip, 2]]);
    const flagged = second.flagged[0] as Suspicion;
    const window = windowOf(time, config.windowSeconds);
    // A later candidate for the same window gets the stored record back, unchanged.
    const again = await recordSuspicion(
      dynamodb,
      config.table,
      { ...flagged, failures: 9, eventId: 'later' },
      window,
    );
    expect(again).toEqual({ suspicion: flagged, indexed: true, created: false });
    const docs = (await documents()).filter((d) => d.subject === ip);
    expect(docs).toEqual([flagged]);
  });

  /** Makes the security index refuse writes (429) while `during` runs. */
  async function withIndexRefusing<T>(during: () => Promise<T>): Promise<T> {
    const block = (on: boolean) =>
      search.indices.putSettings({
        index: config.securityIndex,
        body: { 'index.blocks.read_only_allow_delete': on ? true : null },
      });
    await block(true);
    try {
      return await during();
    } finally {
      await block(false);
    }
  }

  /** Two accounts failing from one IP: the second failure takes the IP over its threshold. */
  function twoAccountsOneIp(tag: string) {
    const ip = `2001:db8:${tag === 'retry' ? 1 : 2}::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;
    const time = `2026-11-28T15:${tag === 'retry' ? '00' : '10'}:00Z`;
    const accounts = [1, 2].map((n) => `acc-${tag}-${n}-${randomBytes(3).toString('hex')}`);
    const events = accounts.map((accountId, n) =>
      failedLogin(`${accountId}-${n}`, time, { accountId, ip }),
    );
    return { ip, time, accounts, events };
  }

  /** The IP counted at 2 and flagged once (at 2), each account counted once. */
  async function expectEachFailureCountedOnce({
    ip,
    time,
    accounts,
  }: ReturnType<typeof twoAccountsOneIp>): Promise<void> {
    expect(await counter({ kind: 'ip', value: ip }, time)).toBe(2);
    for (const accountId of accounts) {
      expect(await counter({ kind: 'account', value: accountId }, time)).toBe(1);
    }
    const docs = (await documents()).filter((d) => d.ip === ip);
    expect(docs.map((d) => [d.kind, d.subject, d.failures])).toEqual([['ip', ip, 2]]);
  }

  const ipOverTwo = { ...config, ipThreshold: 2, accountThreshold: 2 };

  it('retries while the index refuses count each failure once and flag no one else', async () => {
    const twoAccounts = twoAccountsOneIp('retry');
    const { events } = twoAccounts;
    const handler = container(ipOverTwo);
    await send(events[0] as LoginFailedEvent);
    expect(await pollUntil(sqs, queue(), handler, queueEmpty, 10_000)).toBe(true);

    // The second failure takes the IP to 2; flagging it fails three times in a row. Counted
    // again on every retry, the second account would reach 2 and be flagged wrongly.
    const arn = await queueArn(sqs, queue());
    await withIndexRefusing(async () => {
      await send(events[1] as LoginFailedEvent);
      for (let attempt = 1; attempt <= 3; attempt++) {
        const [message] = await receive(sqs, queue(), 1, 0);
        expect(message).toBeDefined();
        const response = await deliver(sqs, queue(), arn, handler, [message as never]);
        expect(response.batchItemFailures).toHaveLength(1);
      }
    });
    expect(await pollUntil(sqs, queue(), handler, queueEmpty, 15_000)).toBe(true);

    await expectEachFailureCountedOnce(twoAccounts);
  });

  it("a redrive of the job's dead letter after a fix does not count its failure again", async () => {
    const twoAccounts = twoAccountsOneIp('redrive');
    const { ip, time, events } = twoAccounts;
    const handler = container(ipOverTwo);
    await send(events[0] as LoginFailedEvent);
    expect(await pollUntil(sqs, queue(), handler, queueEmpty, 10_000)).toBe(true);

    // Every attempt of the second job fails while the index refuses: dead-lettered at the
    // last (maxAttempts, eight), having run its counting step eight times.
    await withIndexRefusing(async () => {
      await send(events[1] as LoginFailedEvent);
      const deadLettered = async () => (await messagesIn(sqs, dlq())) > 0;
      expect(await pollUntil(sqs, queue(), handler, deadLettered, 30_000)).toBe(true);
    });
    expect(await counter({ kind: 'ip', value: ip }, time)).toBe(2);
    expect((await documents()).filter((d) => d.ip === ip)).toEqual([]);

    // The index works again; the operator redrives the job DLQ into the job's queue.
    await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: await queueArn(sqs, dlq()),
        DestinationArn: await queueArn(sqs, queue()),
      }),
    );
    const flagged = async () =>
      (await messagesIn(sqs, dlq())) === 0 &&
      (await queueEmpty()) &&
      (await documents()).some((d) => d.ip === ip);
    expect(await pollUntil(sqs, queue(), handler, flagged, 20_000)).toBe(true);

    await expectEachFailureCountedOnce(twoAccounts);
  });
});
