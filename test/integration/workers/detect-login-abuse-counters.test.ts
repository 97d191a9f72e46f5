/**
 * The failed-login counters against moto, which serves one request at a time like DynamoDB's
 * own item-level serialization: every job counted exactly once per subject whether its
 * counter's job set has room, is full, or predates the set — with runs of the same job
 * side by side, a run cut short between its subjects, and the previous code's markers.
 */
import {
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { readNum } from '../../../functions/shared/dynamo-attributes';
import { resourceName } from '../../../functions/topology/naming';
import { TABLES } from '../../../functions/topology/topology';
import {
  COUNTED_JOBS_CAP,
  counterIdOf,
  countFailureOnce,
  markerIdOf,
  type Subject,
} from '../../../functions/workers/detect-login-abuse/counters';
import { windowOf } from '../../../functions/workers/detect-login-abuse/windows';
import { useLocalStage } from '../../support/local-stage';
import { uniqueId } from '../../support/unique-name';

const localStage = useLocalStage('dlc');
const { stage, dynamodb } = localStage;
const table = resourceName(stage, TABLES.abuseCounters.name);
const window = windowOf('2026-11-28T10:01:00Z', 300);
const now = new Date('2026-11-28T10:02:00Z');

const count = (jobId: string, subjects: readonly Subject[]) =>
  countFailureOnce(dynamodb, table, jobId, subjects, window, { now });
/** Another container's client: its counting is never merged with this one's. */
const other = new DynamoDBClient({});
const countWith = (client: DynamoDBClient, jobId: string, subjects: readonly Subject[]) =>
  countFailureOnce(client, table, jobId, subjects, window, { now });

async function stored(subject: Subject) {
  const { Item: item } = await dynamodb.send(
    new GetItemCommand({
      TableName: table,
      Key: { counterId: { S: counterIdOf(subject, window) } },
      ConsistentRead: true,
    }),
  );
  return { count: item && readNum(item, 'count'), jobs: item?.jobs?.SS ?? [] };
}

/** Runs `work` and counts the requests of `command` this test's client sends meanwhile. */
async function counting<T>(command: string, work: () => Promise<T>) {
  const sent = { count: 0 };
  const name = `count-${command}-${uniqueId('mw')}`;
  dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === command) sent.count++;
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await work(), sent: sent.count };
  } finally {
    dynamodb.middlewareStack.remove(name);
  }
}

async function markers(prefix: string): Promise<string[]> {
  const { Items = [] } = await dynamodb.send(
    new ScanCommand({
      TableName: table,
      FilterExpression: 'begins_with(counterId, :p)',
      ExpressionAttributeValues: { ':p': { S: prefix } },
    }),
  );
  return Items.map((i) => i.counterId?.S ?? '');
}

describe('failed-login counters on moto', () => {
  it('counts 40 jobs once each past the set, with three runs of each side by side', async () => {
    const run = uniqueId('set');
    const account: Subject = { kind: 'account', value: `acc-${run}` };
    const ipOfRun: Subject = { kind: 'ip', value: `198.51.100.7-${run}` };
    const jobIds = Array.from({ length: 40 }, (_, i) => `${run}-job-${i}`);
    const results = await Promise.all(
      jobIds.flatMap((jobId) => [1, 2, 3].map(() => count(jobId, [account, ipOfRun]))),
    );

    expect((await stored(account)).count).toBe(40);
    expect((await stored(ipOfRun)).count).toBe(40);
    // Each job was counted by one of its runs (or by two, one subject each: runs side by side).
    const countingRuns = jobIds.map((_, j) =>
      results.slice(3 * j, 3 * j + 3).filter((r) => r.counted),
    );
    for (const runs of countingRuns) expect(runs.length).toBeGreaterThanOrEqual(1);
    const { jobs } = await stored(ipOfRun);
    expect(jobs).toHaveLength(COUNTED_JOBS_CAP);
    // The jobs the set could not hold have a marker each for their kind, and no other.
    const ipMarkers = (await markers('counted#')).filter((m) => m.startsWith(`counted#${run}`));
    expect(ipMarkers.filter((m) => m.endsWith('#ip'))).toHaveLength(40 - COUNTED_JOBS_CAP);
    expect(ipMarkers.filter((m) => m.endsWith('#account'))).toHaveLength(40 - COUNTED_JOBS_CAP);
    // Every count a run saw is one the counter really had.
    for (const { counts } of results) for (const c of counts) expect(c).toBeLessThanOrEqual(40);

    // A later run of any of them, set-held or marker-held, adds nothing.
    for (const jobId of [jobIds[0] as string, jobIds[39] as string]) {
      expect(await count(jobId, [account, ipOfRun])).toEqual({ counts: [40, 40], counted: false });
    }
  });

  it('jobs in flight together share one update per counter, and stay exact past the set', async () => {
    const run = uniqueId('grp');
    const account: Subject = { kind: 'account', value: `acc-${run}` };
    const ip: Subject = { kind: 'ip', value: `198.51.100.9-${run}` };
    // A batch of ten started together, as the job runtime starts them.
    const first = Array.from({ length: 10 }, (_, i) => `${run}-job-${i}`);
    const { result: counted, sent: updates } = await counting('UpdateItemCommand', () =>
      Promise.all(first.map((jobId) => count(jobId, [account, ip]))),
    );
    expect(updates).toBe(2);
    expect(counted.map((r) => r.counts[0]).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    expect(counted.every((r) => r.counted)).toBe(true);

    // A redelivered batch: three of the first again, with nine new ones — past the set's 16.
    const second = [
      ...first.slice(0, 3),
      ...Array.from({ length: 9 }, (_, i) => `${run}-new-${i}`),
    ];
    const again = await Promise.all(second.map((jobId) => count(jobId, [account, ip])));
    expect(again.slice(0, 3).every((r) => !r.counted)).toBe(true);
    expect(again.slice(3).every((r) => r.counted)).toBe(true);
    for (const subject of [account, ip]) {
      const { count: total, jobs } = await stored(subject);
      expect(total).toBe(19);
      expect(jobs).toHaveLength(COUNTED_JOBS_CAP);
    }
    const runMarkers = (await markers(`counted#${run}`)).filter((m) => m.endsWith('#ip'));
    expect(runMarkers).toHaveLength(19 - COUNTED_JOBS_CAP);
  });

  it('past the set, jobs in flight together share one marker transaction per counter', async () => {
    const run = uniqueId('mrk');
    const account: Subject = { kind: 'account', value: `acc-${run}` };
    const ip: Subject = { kind: 'ip', value: `198.51.100.10-${run}` };
    const job = (i: number) => `${run}-job-${i}`;
    const batch = (from: number, to: number) =>
      Promise.all(Array.from({ length: to - from }, (_, i) => count(job(from + i), [account, ip])));
    await batch(0, COUNTED_JOBS_CAP); // fills both sets
    const { result: past, sent: transactions } = await counting('TransactWriteItemsCommand', () =>
      batch(COUNTED_JOBS_CAP, 40),
    );
    expect(transactions).toBe(2);
    expect(past.every((r) => r.counted && r.counts.every((c) => c === 40))).toBe(true);
    // The same jobs again with two new ones: only the new ones count.
    const again = await Promise.all(
      [...Array.from({ length: 24 }, (_, i) => job(COUNTED_JOBS_CAP + i)), job(40), job(41)].map(
        (jobId) => count(jobId, [account, ip]),
      ),
    );
    expect(again.filter((r) => r.counted)).toHaveLength(2);
    for (const subject of [account, ip]) expect((await stored(subject)).count).toBe(42);
    const runMarkers = await markers(`counted#${run}`);
    expect(runMarkers.filter((m) => m.endsWith('#ip'))).toHaveLength(42 - COUNTED_JOBS_CAP);
    expect(runMarkers.filter((m) => m.endsWith('#account'))).toHaveLength(42 - COUNTED_JOBS_CAP);
  });

  it('a run cut short after its account counts only the address when it runs again', async () => {
    const run = uniqueId('cut');
    const account: Subject = { kind: 'account', value: `acc-${run}` };
    const ip: Subject = { kind: 'ip', value: `192.0.2.1-${run}` };
    await count(`${run}-a`, [account]);
    expect(await count(`${run}-a`, [account, ip])).toEqual({ counts: [1, 1], counted: true });
    expect(await count(`${run}-a`, [account, ip])).toEqual({ counts: [1, 1], counted: false });
  });

  it("a counter written before the set exists: the previous code's marker is honoured", async () => {
    const run = uniqueId('old');
    const account: Subject = { kind: 'account', value: `acc-${run}` };
    const ip: Subject = { kind: 'ip', value: `192.0.2.2-${run}` };
    // As the previous code left them: counters without a set, one marker per job.
    for (const subject of [account, ip]) {
      await dynamodb.send(
        new PutItemCommand({
          TableName: table,
          Item: { counterId: { S: counterIdOf(subject, window) }, count: { N: '2' } },
        }),
      );
    }
    for (const jobId of [`${run}-a`, `${run}-b`]) {
      await dynamodb.send(
        new PutItemCommand({ TableName: table, Item: { counterId: { S: markerIdOf(jobId) } } }),
      );
    }
    expect(await count(`${run}-a`, [account, ip])).toEqual({ counts: [2, 2], counted: false });
    expect(await count(`${run}-c`, [account, ip])).toEqual({ counts: [3, 3], counted: true });
    expect(await count(`${run}-c`, [account, ip])).toEqual({ counts: [3, 3], counted: false });
    expect(await count(`${run}-b`, [account, ip])).toEqual({ counts: [3, 3], counted: false });
  });
  it('two containers count overlapping batches on a set part full: exact, and the highest count seen is the total', async () => {
    const run = uniqueId('two');
    const account: Subject = { kind: 'account', value: `acc-${run}` };
    const ip: Subject = { kind: 'ip', value: `192.0.2.1-${run}` };
    const seed = Array.from({ length: 12 }, (_, i) => `${run}-seed-${i}`);
    await Promise.all(seed.map((j) => countWith(dynamodb, j, [account, ip])));
    const a = Array.from({ length: 20 }, (_, i) => `${run}-j-${i}`);
    const b = [
      ...a.slice(10),
      ...seed.slice(0, 4),
      ...Array.from({ length: 6 }, (_, i) => `${run}-k-${i}`),
    ];
    const results = await Promise.all([
      ...a.map((j) => countWith(dynamodb, j, [account, ip])),
      ...b.map((j) => countWith(other, j, [account, ip])),
      ...a.slice(0, 5).map((j) => countWith(dynamodb, j, [account, ip])),
    ]);
    const expected = 12 + 20 + 6;
    expect((await stored(account)).count).toBe(expected);
    expect((await stored(ip)).count).toBe(expected);
    const seen = results.flatMap((r) => r.counts);
    expect(Math.max(...seen)).toBe(expected);
    for (const c of seen) expect(c).toBeLessThanOrEqual(expected);
  });

  it("a legacy counter counts a batch with copies exactly, honouring the previous code's markers", async () => {
    const run = uniqueId('leg');
    const ip: Subject = { kind: 'ip', value: `192.0.2.2-${run}` };
    await dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: { counterId: { S: counterIdOf(ip, window) }, count: { N: '2' } },
      }),
    );
    const old = [`${run}-old-0`, `${run}-old-1`];
    for (const j of old) {
      await dynamodb.send(
        new PutItemCommand({ TableName: table, Item: { counterId: { S: markerIdOf(j) } } }),
      );
    }
    const fresh = Array.from({ length: 6 }, (_, i) => `${run}-n-${i}`);
    const results = await Promise.all(
      [...old, ...fresh, ...fresh].map((j) => countWith(dynamodb, j, [ip])),
    );
    expect((await stored(ip)).count).toBe(8);
    expect(results.slice(0, 2).every((r) => !r.counted)).toBe(true);
  });
  it('a mixed batch past the set (set-held, marker-held, new, copies): exact, in two transactions per counter', async () => {
    const run = uniqueId('mix');
    const account: Subject = { kind: 'account', value: `acc-${run}` };
    const ip: Subject = { kind: 'ip', value: `198.51.100.20-${run}` };
    const job = (i: number) => `${run}-job-${i}`;
    const batch = (ids: string[]) => Promise.all(ids.map((id) => count(id, [account, ip])));
    await batch(Array.from({ length: COUNTED_JOBS_CAP }, (_, i) => job(i)));
    await batch([job(16), job(17), job(18), job(19)]); // markers; counter remembered full
    const mixed = [job(0), job(16), job(40), job(41), job(40), job(1), job(17), job(42)];
    const { result: results, sent: transactions } = await counting(
      'TransactWriteItemsCommand',
      () => batch(mixed),
    );
    // Per counter: one refused (its markers and its set name four of them), one for the
    // three new ones — the set comes back with the refusal.
    expect(transactions).toBe(4);
    expect(results.map((r) => r.counted)).toEqual([
      false,
      false,
      true,
      true,
      false,
      false,
      false,
      true,
    ]);
    for (const r of results) expect(r.counts).toEqual([23, 23]);
    expect((await stored(account)).count).toBe(23);
    expect((await stored(ip)).count).toBe(23);
  });

  it('thirty new jobs and two set-held ones in one turn: exact', async () => {
    const run = uniqueId('big');
    const account: Subject = { kind: 'account', value: `acc-${run}` };
    const ip: Subject = { kind: 'ip', value: `198.51.100.21-${run}` };
    const job = (i: number) => `${run}-job-${i}`;
    const batch = (ids: string[]) => Promise.all(ids.map((id) => count(id, [account, ip])));
    await batch(Array.from({ length: COUNTED_JOBS_CAP + 1 }, (_, i) => job(i)));
    const ids = [job(3), ...Array.from({ length: 30 }, (_, i) => job(100 + i)), job(7)];
    const results = await batch(ids);
    expect(results.filter((r) => r.counted)).toHaveLength(30);
    expect((await stored(account)).count).toBe(COUNTED_JOBS_CAP + 1 + 30);
    expect((await stored(ip)).count).toBe(COUNTED_JOBS_CAP + 1 + 30);
  });
});
