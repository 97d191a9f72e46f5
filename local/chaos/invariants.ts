/**
 * The end-to-end invariants of a stage after a run, read from the services themselves and
 * compared with what the scenario says must have happened: every invalid record dead-lettered
 * once, every valid event audited, each product at its catalog version, one commission per
 * sold line, the newest customer fields, each failed login counted once, each window over
 * its threshold flagged once, no job left dead-lettered. Each effect reports how many are
 * missing (lost) and how many are too many (duplicated).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Client } from '@opensearch-project/opensearch';
import type { DeadLetter } from '../../functions/queues/dead-letter';
import { resourceName } from '../../functions/topology/naming';
import { jobQueues, ROUTER_QUEUES, TABLES } from '../../functions/topology/topology';
import { JOB_NAMES } from '../../functions/workers/jobs';
import type { ProvisionedStage } from '../provision/stage';
import { peekAll, scanAll } from '../shared/inspect';
import { queueDepth } from '../shared/queue-counts';
import type { Expected } from '../shop/expected-effects';
import type { Scenario } from '../shop/scenario';

/** One kind of effect: how many were expected, missing and one too many. */
export interface EffectCheck {
  readonly effect: string;
  readonly expected: number;
  readonly lost: number;
  readonly duplicated: number;
}

export interface InvariantClients {
  readonly sqs: SQSClient;
  readonly dynamodb: DynamoDBClient;
  readonly search: Client;
}

/** Counts of each key in `actual` against the expected count of each key. */
function compareCounts(
  effect: string,
  expected: ReadonlyMap<string, number>,
  actual: ReadonlyMap<string, number>,
): EffectCheck {
  let lost = 0;
  let duplicated = 0;
  for (const key of new Set([...expected.keys(), ...actual.keys()])) {
    const difference = (actual.get(key) ?? 0) - (expected.get(key) ?? 0);
    if (difference < 0) lost -= difference;
    else duplicated += difference;
  }
  let total = 0;
  for (const count of expected.values()) total += count;
  return { effect, expected: total, lost, duplicated };
}

function tally(keys: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

const once = (keys: Iterable<string>) => new Map([...keys].map((key) => [key, 1]));

/**
 * @example
 * ```ts
 * const checks = await checkInvariants(clients, stage, scenario, expectedEffects(scenario, rules));
 * const lost = checks.reduce((sum, c) => sum + c.lost, 0);
 * ```
 */
export async function checkInvariants(
  clients: InvariantClients,
  stage: Pick<ProvisionedStage, 'stage' | 'queueUrls'>,
  scenario: Scenario,
  expected: Expected,
): Promise<EffectCheck[]> {
  const { sqs, dynamodb, search } = clients;
  const url = (logical: string) => stage.queueUrls.get(logical) as string;
  const table = (key: keyof typeof TABLES) => resourceName(stage.stage, TABLES[key].name);
  const alias = (index: string) => resourceName(stage.stage, index);
  await search.indices.refresh({ index: [alias('products'), alias('audit'), alias('security')] });

  // Dead letters, by the record's position: an invalid record delivered twice is two records.
  const depth = await queueDepth(sqs, url(ROUTER_QUEUES.ingestDlq));
  const letters = (await peekAll(sqs, url(ROUTER_QUEUES.ingestDlq), depth)).map(
    (m) => JSON.parse(m.Body ?? '{}') as DeadLetter,
  );
  const position = (topic: unknown, partition: unknown, offset: unknown) =>
    `${topic}/${partition}/${offset}`;
  const deadLetters = compareCounts(
    'ingest dead letters',
    tally(expected.deadLetters.map((r) => r.value.toString('base64'))),
    tally(letters.map((l) => l.record?.value ?? '')),
  );
  const positions = tally(
    letters.map((l) => position(l.record?.topic, l.record?.partition, l.record?.offset)),
  );
  const repeated = [...positions.values()].reduce((sum, n) => sum + n - 1, 0);

  const audited = await countByTerms(search, alias('audit'), 'eventId', [
    ...expected.events.keys(),
  ]);

  const { body: products } = await search.mget({
    index: alias('products'),
    body: { ids: [...scenario.catalog.keys()] },
  });
  const productDocs = products.docs as Array<{
    _id: string;
    found: boolean;
    _source?: { version: number; deleted: boolean };
  }>;
  const productsWrong = productDocs.filter((doc) => {
    const row = scenario.catalog.get(doc._id);
    return (
      !doc.found ||
      doc._source?.version !== row?.version ||
      doc._source?.deleted !== (row?.status !== 'PUBLISHED')
    );
  }).length;

  const commissions = await scanAll(dynamodb, table('commissions'));
  const commissionCheck = compareCounts(
    'commissions (one per sold line)',
    once(expected.commissionLines),
    tally(commissions.map((i) => `${i.orderId?.S}#${i.lineId?.S}`)),
  );
  const wrongAmounts = commissions.filter(
    (i) => Number(i.grossAmount?.N) !== Number(i.quantity?.N) * Number(i.unitAmount?.N),
  ).length;

  const customers = await scanAll(dynamodb, table('customers'));
  const actualFields = new Map<string, unknown>();
  for (const item of customers) {
    for (const [field, value] of Object.entries(item.fields?.M ?? {})) {
      actualFields.set(`${item.customerId?.S}#${field}`, value.M?.value?.S);
    }
  }
  let fields = 0;
  let staleFields = 0;
  for (const [customerId, expectedFields] of expected.customers) {
    for (const [field, value] of expectedFields) {
      fields++;
      if (actualFields.get(`${customerId}#${field}`) !== value) staleFields++;
    }
  }

  const abuse = await scanAll(dynamodb, table('abuseCounters'));
  const counters = new Map(
    abuse
      .filter((i) => /^(account|ip)#/.test(i.counterId?.S ?? ''))
      .map((i) => [`${i.kind?.S}#${i.subject?.S}#${i.windowStart?.S}`, Number(i.count?.N)]),
  );
  const suspicions = tally(
    abuse
      .filter((i) => i.counterId?.S?.startsWith('suspicion#'))
      .map((i) => `${i.kind?.S}#${i.subject?.S}#${i.windowStart?.S}`),
  );
  const { body: securityDocs } = await search.count({ index: alias('security') });

  const jobDeadLetters = await Promise.all(
    JOB_NAMES.map((job) => queueDepth(sqs, url(jobQueues(job).dlq))),
  );

  return [
    { ...deadLetters, duplicated: Math.max(deadLetters.duplicated, repeated) },
    {
      effect: 'audit documents (one per valid event)',
      expected: expected.events.size,
      lost: expected.events.size - audited,
      duplicated: 0,
    },
    {
      effect: 'products at their catalog version',
      expected: scenario.catalog.size,
      lost: productsWrong,
      duplicated: 0,
    },
    { ...commissionCheck, lost: commissionCheck.lost + wrongAmounts },
    {
      effect: 'customer fields at their newest value',
      expected: fields,
      lost: staleFields,
      duplicated: 0,
    },
    compareCounts('failed logins counted', expected.loginFailures, counters),
    compareCounts('abuse windows flagged', once(expected.suspicions), suspicions),
    {
      effect: 'suspicion documents',
      expected: expected.suspicions.size,
      lost: Math.max(0, expected.suspicions.size - securityDocs.count),
      duplicated: Math.max(0, securityDocs.count - expected.suspicions.size),
    },
    {
      effect: 'jobs left dead-lettered',
      expected: 0,
      lost: jobDeadLetters.reduce((sum, n) => sum + n, 0),
      duplicated: 0,
    },
  ];
}

/** How many of `values` have a document (distinct values of `field`). */
async function countByTerms(
  search: Client,
  index: string,
  field: string,
  values: readonly string[],
): Promise<number> {
  let found = 0;
  // Terms queries take at most 65,536 values; stay well below.
  for (let start = 0; start < values.length; start += 5_000) {
    const { body } = await search.count({
      index,
      body: { query: { terms: { [field]: values.slice(start, start + 5_000) } } },
    });
    found += body.count;
  }
  return found;
}
