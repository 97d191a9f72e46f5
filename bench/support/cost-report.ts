/**
 * Turns what the meters counted into dollars: a table per billed item and one per function
 * (stderr), and the summary the bench prints as its last stdout line. Per-million figures
 * scale the run linearly by the records produced. Not in the variable figure: empty long
 * polls (an idle queue's fixed cost) and EMF metric series (billed per series a month, however
 * many events write them: shown as a fixed monthly cost).
 */
import { count, textTable } from '../../shared/text-table';
import type { FunctionUsage } from './cost-lambda';
import { type LogUsage, PLATFORM_BYTES_PER_INVOCATION } from './cost-logs';
import type { RequestRow } from './cost-meter';
import { PRICES, PRICES_AS_OF, s3RequestPrice } from './cost-prices';

export interface CostInput {
  /** Kafka records produced: the shop's events, invalid and duplicate ones included. */
  readonly events: number;
  readonly seconds: number;
  readonly requests: readonly RequestRow[];
  readonly functions: readonly FunctionUsage[];
  readonly logs: readonly LogUsage[];
  readonly metricSeries: number;
}

export interface CostSummary {
  readonly usdPerMillionEvents: number;
  readonly requestsPer1000Events: {
    readonly sqs: number;
    readonly dynamodb: number;
    readonly s3: number;
    readonly lambdaInvocations: number;
  };
  readonly lambdaGbSecondsPerMillion: number;
  readonly eventsPerSecond: number;
}

interface Item {
  readonly item: string;
  readonly owner: string;
  readonly quantity: number;
  readonly unit: string;
  readonly usd: number;
}

const isIdle = (r: RequestRow) => r.operation === 'ReceiveMessage (empty)';

function requestItems(rows: readonly RequestRow[]): Item[] {
  const items: Item[] = [];
  for (const r of rows) {
    const who = r.origin === 'emulated' ? `${r.owner} (emulated poller)` : r.owner;
    const name = `${r.service} ${r.operation}`;
    if (r.service === 'sqs') {
      const usd = isIdle(r) ? 0 : r.billedRequests * PRICES.sqsPerRequest;
      items.push({
        item: name,
        owner: who,
        quantity: r.billedRequests,
        unit: 'requests (64 KB)',
        usd,
      });
    } else if (r.service === 's3') {
      items.push({
        item: name,
        owner: who,
        quantity: r.requests,
        unit: 'requests',
        usd: r.requests * s3RequestPrice(r.operation),
      });
    } else {
      if (r.writeUnits > 0)
        items.push({
          item: `${name} WRU`,
          owner: who,
          quantity: r.writeUnits,
          unit: 'write units',
          usd: r.writeUnits * PRICES.dynamoPerWriteUnit,
        });
      if (r.readUnits > 0)
        items.push({
          item: `${name} RRU`,
          owner: who,
          quantity: r.readUnits,
          unit: 'read units',
          usd: r.readUnits * PRICES.dynamoPerReadUnit,
        });
    }
  }
  return items;
}

function lambdaItems(functions: readonly FunctionUsage[], logs: readonly LogUsage[]): Item[] {
  const items: Item[] = [];
  for (const f of functions) {
    items.push({
      item: 'lambda GB-seconds',
      owner: `${f.fn} (${f.memoryMiB} MB)`,
      quantity: f.gbSeconds,
      unit: 'GB-s',
      usd: f.gbSeconds * PRICES.lambdaPerGbSecond,
    });
    items.push({
      item: 'lambda invocations',
      owner: f.fn,
      quantity: f.invocations,
      unit: 'requests',
      usd: f.invocations * PRICES.lambdaPerRequest,
    });
    const written = logs.find((l) => l.fn === f.fn)?.bytes ?? 0;
    const bytes = written + f.invocations * PLATFORM_BYTES_PER_INVOCATION;
    items.push({
      item: 'logs ingested',
      owner: f.fn,
      quantity: bytes,
      unit: 'bytes',
      usd: (bytes / 1024 ** 3) * PRICES.logsPerGb,
    });
  }
  return items;
}

const usd = (n: number) => `$${n.toFixed(n >= 1 ? 2 : 4)}`;

/**
 * Writes the tables to `say` and returns the summary.
 *
 * @example
 * ```ts
 * const summary = costReport(input, (line) => process.stderr.write(`${line}\n`));
 * process.stdout.write(`${JSON.stringify(summary)}\n`);
 * ```
 */
export function costReport(input: CostInput, say: (text: string) => void): CostSummary {
  const perMillion = 1e6 / input.events;
  const items = [...requestItems(input.requests), ...lambdaItems(input.functions, input.logs)]
    .filter((i) => i.quantity > 0)
    .sort((a, b) => b.usd - a.usd);
  const total = items.reduce((sum, i) => sum + i.usd, 0);

  say(
    `\nPer item (${count(input.events)} events; list prices us-east-1 as of ${PRICES_AS_OF}, bench/support/cost-prices.ts)`,
  );
  say(
    textTable(
      ['ITEM', 'BY', 'QUANTITY', 'UNIT', 'USD', 'USD / M EVENTS'],
      items.map((i) => [
        i.item,
        i.owner,
        count(Math.round(i.quantity * 100) / 100),
        i.unit,
        usd(i.usd),
        usd(i.usd * perMillion),
      ]),
      ['left', 'left', 'right', 'left', 'right', 'right'],
    ),
  );

  const owners = [...new Set(items.map((i) => ownerName(i.owner)))];
  const byOwner = owners
    .map((owner) => ({
      owner,
      usd: items.filter((i) => ownerName(i.owner) === owner).reduce((s, i) => s + i.usd, 0),
    }))
    .sort((a, b) => b.usd - a.usd);
  say("\nPer function or job (its own requests, its emulated poller's, its Lambda and logs)");
  say(
    textTable(
      ['FUNCTION / JOB', 'USD', 'USD / M EVENTS', 'SHARE'],
      [
        ...byOwner.map((o) => [
          o.owner,
          usd(o.usd),
          usd(o.usd * perMillion),
          `${((o.usd / total) * 100).toFixed(1)} %`,
        ]),
        ['total', usd(total), usd(total * perMillion), '100 %'],
      ],
      ['left', 'right', 'right', 'right'],
    ),
  );
  const durations = items
    .filter((i) => i.item === 'lambda GB-seconds')
    .reduce((sum, i) => sum + i.usd, 0);
  say(
    `\nVariable total ${usd(total * perMillion)} per million events: Lambda GB-seconds ` +
      `${usd(durations * perMillion)} (durations measured in-process on this machine: they ` +
      `grow with its load and the local services' latency), requests, request units, ` +
      `invocations and logs ${usd((total - durations) * perMillion)} (counted: requests exactly, DynamoDB units from item sizes).`,
  );
  const idle = input.requests.filter(isIdle).reduce((sum, r) => sum + r.billedRequests, 0);
  say(
    `\nNot in the variable total: ${count(idle)} empty long polls of the emulated pollers (an idle ` +
      `queue's fixed cost; local polls wait 1 s, Lambda's 20 s); ${count(input.metricSeries)} EMF ` +
      `metric series, ${usd(input.metricSeries * PRICES.metricPerMonth)} a month fixed at ` +
      `$${PRICES.metricPerMonth} per series-month, whatever the volume. Emulated: the rows marked ` +
      '"emulated poller" are the requests Lambda\'s SQS pollers make on the account\'s behalf ' +
      '(ReceiveMessage, DeleteMessageBatch, GetQueueAttributes at start).',
  );

  const per1000 = (service: RequestRow['service']) =>
    round(
      (input.requests
        .filter((r) => r.service === service && !isIdle(r))
        .reduce((s, r) => s + r.billedRequests, 0) *
        1000) /
        input.events,
    );
  const invocations = input.functions.reduce((s, f) => s + f.invocations, 0);
  const gbSeconds = input.functions.reduce((s, f) => s + f.gbSeconds, 0);
  return {
    usdPerMillionEvents: round(total * perMillion, 4),
    requestsPer1000Events: {
      sqs: per1000('sqs'),
      dynamodb: per1000('dynamodb'),
      s3: per1000('s3'),
      lambdaInvocations: round((invocations * 1000) / input.events),
    },
    lambdaGbSecondsPerMillion: round(gbSeconds * perMillion),
    eventsPerSecond: round(input.events / input.seconds),
  };
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** `router (emulated poller)` → `router`: the owner without its parenthesised qualifier. */
function ownerName(owner: string): string {
  const open = owner.indexOf(' (');
  return open >= 0 && owner.endsWith(')') ? owner.slice(0, open) : owner;
}
