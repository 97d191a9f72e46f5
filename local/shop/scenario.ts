/**
 * A simulated shop: the catalog, order, identity and customer services changing their data
 * and publishing events, with the faults a real stream carries — bytes that are not text,
 * text that is not JSON, schema violations, unknown types, a schema version this code does
 * not know yet — and records delivered twice. Deterministic for a seed, so the end-to-end
 * tests can compute what the pipeline must have done, and `npm run dev` shows the same.
 */
import type { CloudEvent } from '../../functions/events/envelope';
import type { RecordFailureReason } from '../../functions/shared/errors';
import { TOPICS, type TopicKey } from '../../functions/topology/topology';
import { type CatalogRow, type CatalogStatus, catalogRowFor } from './catalog-rows';
import { seededRandom } from './seeded-random';

export interface ScenarioOptions {
  /** Distinct records to produce (duplicates come on top). */
  readonly events: number;
  /** Makes event ids unique per run, so reruns against the same topics never collide. */
  readonly runId: string;
  readonly seed?: number;
  /** Share of records that are invalid, in [0, 1). Default 0.06. */
  readonly invalidRatio?: number;
  /** Share of records produced a second time, in [0, 1). Default 0.03. */
  readonly duplicateRatio?: number;
  /** Distinct products, accounts and customers the stream is about. */
  readonly products?: number;
  readonly customers?: number;
  /** Maps a topology topic to the topic actually used (tests use per-run topics). */
  readonly topicName?: (topic: TopicKey) => string;
  /** The first event time; events advance by one second each. */
  readonly startTime?: Date;
}

/** Why a record of the scenario is invalid, as the router's dead letter will say. */
export type InvalidKind = Extract<
  RecordFailureReason,
  'NOT_DECODABLE' | 'NOT_JSON' | 'SCHEMA_VIOLATION' | 'UNKNOWN_TYPE' | 'UNKNOWN_VERSION'
>;

/** One Kafka record to produce. */
export interface ShopRecord {
  readonly topic: string;
  readonly key: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  /** The valid event it carries, or why it is invalid. */
  readonly event?: CloudEvent;
  readonly invalid?: InvalidKind;
  /** The record repeats an earlier one (same bytes, same event id). */
  readonly duplicate: boolean;
}

export interface Scenario {
  /** In production order, duplicates included. */
  readonly records: readonly ShopRecord[];
  /** The catalog table's rows after every change, as the catalog service left them. */
  readonly catalog: ReadonlyMap<string, CatalogRow>;
}

const INVALID_KINDS: readonly InvalidKind[] = [
  'NOT_DECODABLE',
  'NOT_JSON',
  'SCHEMA_VIOLATION',
  'UNKNOWN_TYPE',
  'UNKNOWN_VERSION',
];

/**
 * LOGIN_FAILED version 2 (adds `mfaMethod`): published by an identity service that was
 * deployed before Sluice learned the version — the "fix" the e2e tests apply and redrive.
 */
export const FUTURE_LOGIN_FAILED_VERSION = 2;

/**
 * Builds the whole stream up front.
 *
 * @example
 * ```ts
 * const { records, catalog } = buildScenario({ events: 5000, runId: 'e2e-1' });
 * records.filter((r) => r.invalid).length; // about 300
 * ```
 */
export function buildScenario(options: ScenarioOptions): Scenario {
  const random = seededRandom(options.seed ?? 20261128);
  const topicName = options.topicName ?? ((topic: TopicKey) => TOPICS[topic].name);
  const products = options.products ?? 200;
  const customers = options.customers ?? 100;
  const invalidRatio = options.invalidRatio ?? 0.06;
  const duplicateRatio = options.duplicateRatio ?? 0.03;
  const start = (options.startTime ?? new Date('2026-11-28T09:00:00Z')).getTime();
  const run = options.runId;
  const catalog = new Map<string, CatalogRow>();
  const records: ShopRecord[] = [];

  const time = (n: number) => new Date(start + n * 1000).toISOString();
  const envelope = (
    n: number,
    source: string,
    type: string,
    subject: string,
    data: object,
  ): CloudEvent => ({
    specversion: '1.0',
    id: `${run}-${n}`,
    source,
    type,
    subject,
    time: time(n),
    dataversion: 1,
    data,
  });
  const json = (topic: TopicKey, key: string, event: CloudEvent): ShopRecord => ({
    topic: topicName(topic),
    key,
    value: Buffer.from(JSON.stringify(event)),
    headers: { 'content-type': 'application/cloudevents+json' },
    event,
    duplicate: false,
  });

  const productEvent = (n: number): ShopRecord => {
    const productId = `${run}-prod-${Math.floor(random() * products)}`;
    const previous = catalog.get(productId);
    // The catalog service changes the row first, then publishes a reference to it.
    const status: CatalogStatus = !previous
      ? 'PUBLISHED'
      : random() < 0.15
        ? previous.status === 'PUBLISHED'
          ? 'UNPUBLISHED'
          : 'PUBLISHED'
        : previous.status;
    const row = catalogRowFor(productId, (previous?.version ?? 0) + 1, status, time(n), random);
    catalog.set(productId, row);
    const type =
      status === 'UNPUBLISHED'
        ? 'PRODUCT_UNPUBLISHED'
        : previous?.status === 'PUBLISHED'
          ? 'PRODUCT_UPDATED'
          : 'PRODUCT_PUBLISHED';
    const data = { productId, catalogVersion: row.version };
    return json('catalog', productId, envelope(n, 'urn:shop:catalog', type, productId, data));
  };

  const saleEvent = (n: number): ShopRecord => {
    const orderId = `${run}-order-${n}`;
    const lines = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => ({
      lineId: String(i + 1),
      productId: `${run}-prod-${Math.floor(random() * products)}`,
      sellerId: `seller-${Math.floor(random() * 25)}`,
      quantity: 1 + Math.floor(random() * 3),
      unitPrice: { amount: 199 + Math.floor(random() * 20_000), currency: 'EUR' },
    }));
    const event = { ...envelope(n, 'urn:shop:orders', 'ITEM_SOLD', orderId, {}), dataversion: 2 };
    return json('orders', orderId, { ...event, data: { orderId, soldAt: time(n), lines } });
  };

  const loginEvent = (n: number): ShopRecord => {
    // A few hot accounts and addresses (an attack), the rest spread out.
    const attack = random() < 0.4;
    const account = attack ? `${run}-acct-${Math.floor(random() * 3)}` : `${run}-acct-${n}`;
    const ip = attack ? `198.51.100.${Math.floor(random() * 4)}` : `203.0.113.${n % 250}`;
    const data = {
      accountId: account,
      email: `${account}@example.com`,
      ip,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
      reason: 'BAD_PASSWORD',
    };
    return json(
      'identity',
      account,
      envelope(n, 'urn:shop:identity', 'LOGIN_FAILED', account, data),
    );
  };

  const customerEvent = (n: number): ShopRecord => {
    const customerId = `${run}-cust-${Math.floor(random() * customers)}`;
    const fields = ['email', 'city', 'phone', 'tier'].filter(() => random() < 0.5);
    if (fields.length === 0) fields.push('city');
    // Change times jitter around the event time, so arrival order is not change order; the
    // microseconds carry n, so no two changes of a field ever share a time.
    const changedAt = (jitter: number) =>
      time(n - jitter).replace('.000Z', `.${String(n % 1_000_000).padStart(6, '0')}Z`);
    const changes = Object.fromEntries(
      fields.map((field) => [
        field,
        { value: `${field}-${n}`, changedAt: changedAt(Math.floor(random() * 30)) },
      ]),
    );
    const type = random() < 0.1 ? 'CUSTOMER_CREATED' : 'CUSTOMER_UPDATED';
    const data = { customerId, changes };
    return json('customers', customerId, envelope(n, 'urn:shop:customers', type, customerId, data));
  };

  const invalidRecord = (n: number, kind: InvalidKind): ShopRecord => {
    const bad = (topic: TopicKey, value: Buffer, key = `${run}-bad-${n}`): ShopRecord => ({
      topic: topicName(topic),
      key,
      value,
      headers: { 'content-type': 'application/cloudevents+json' },
      invalid: kind,
      duplicate: false,
    });
    switch (kind) {
      case 'NOT_DECODABLE':
        // Confluent schema-registry wire format: magic byte 0, schema id, Avro bytes.
        return bad('orders', Buffer.from([0, 0, 0, 0, 7, 0xc3, 0x28, n & 0xff]));
      case 'NOT_JSON':
        return bad('catalog', Buffer.from(`productId=${n}&status=published`));
      case 'SCHEMA_VIOLATION': {
        const sale = saleEvent(n).event as CloudEvent;
        const data = { orderId: `${run}-order-${n}`, soldAt: time(n), lines: [] };
        return bad('orders', Buffer.from(JSON.stringify({ ...sale, data })));
      }
      case 'UNKNOWN_TYPE': {
        const event = envelope(n, 'urn:shop:catalog', 'PRODUCT_RECALLED', 'x', { n });
        return bad('catalog', Buffer.from(JSON.stringify(event)));
      }
      case 'UNKNOWN_VERSION': {
        const login = loginEvent(n).event as CloudEvent<string, object>;
        const event = {
          ...login,
          dataversion: FUTURE_LOGIN_FAILED_VERSION,
          data: { ...login.data, mfaMethod: 'TOTP' },
        };
        return bad('identity', Buffer.from(JSON.stringify(event)), login.subject);
      }
    }
  };

  // Duplicates are produced again a few records later, as a producer's retry would be.
  const pending: Array<{ due: number; record: ShopRecord }> = [];
  const makers = [productEvent, saleEvent, loginEvent, customerEvent];
  const weights = [0.3, 0.25, 0.25, 0.2];
  for (let n = 0; n < options.events; n++) {
    let record: ShopRecord;
    if (random() < invalidRatio) {
      record = invalidRecord(n, INVALID_KINDS[n % INVALID_KINDS.length] as InvalidKind);
    } else {
      let roll = random();
      let index = 0;
      while (index < weights.length - 1 && roll >= (weights[index] as number)) {
        roll -= weights[index] as number;
        index++;
      }
      record = (makers[index] as (n: number) => ShopRecord)(n);
    }
    records.push(record);
    if (random() < duplicateRatio) {
      pending.push({
        due: n + 1 + Math.floor(random() * 20),
        record: { ...record, duplicate: true },
      });
    }
    while (pending.length > 0 && (pending[0] as { due: number }).due <= n) {
      records.push((pending.shift() as { record: ShopRecord }).record);
    }
  }
  for (const { record } of pending) records.push(record);
  return { records, catalog };
}
