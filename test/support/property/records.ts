/**
 * fast-check arbitraries of MSK batches for the router's property tests. Every generated
 * record carries what the router must do with it, decided here from how it was built
 * (never by asking the router's own parser): route it as an event of a known type, or
 * dead-letter it with one of a few reasons.
 */
import type { MSKEvent } from 'aws-lambda';
import fc from 'fast-check';
import type { CloudEvent } from '../../../functions/events/envelope';
import type { IncomingKafkaRecord } from '../../../functions/router/kafka-record';
import type { RecordFailureReason } from '../../../functions/shared/errors';
import {
  customerUpdated,
  itemSold,
  itemSoldV1,
  loginFailed,
  productPublished,
} from '../sample-events';

/** What the router must do with a record. */
export type Expectation =
  | {
      kind: 'event';
      type: string;
      source: string;
      id: string;
      /** UTF-8 size of the event's JSON, to tell whether its job messages can fit in SQS. */
      eventBytes: number;
      /** The event as its jobs must carry it: received attributes, latest version and data. */
      event: Record<string, unknown>;
    }
  | { kind: 'invalid'; reasons: readonly RecordFailureReason[] };

/** A record before it is placed in a partition: its bytes and what must happen to it. */
export interface RecordDraft {
  /** How it was built, to read shrunk counterexamples. */
  label: string;
  /** Base64 key; `undefined` leaves the field out, as Lambda may for keyless records. */
  key: string | null | undefined;
  /** Base64 value; `undefined` and `null` are tombstones. */
  value: string | null | undefined;
  headers: Array<Record<string, number[]>>;
  expect: Expectation;
}

/** A record as delivered, with what must happen to it. */
export interface GeneratedRecord {
  record: IncomingKafkaRecord;
  label: string;
  expect: Expectation;
}

export interface GeneratedBatch {
  records: GeneratedRecord[];
  event: Pick<MSKEvent, 'records'>;
}

/** Versions per type as the registry has them: the latest is what jobs receive. */
export const LATEST_VERSION: Readonly<Record<string, number>> = {
  PRODUCT_PUBLISHED: 1,
  PRODUCT_UPDATED: 1,
  PRODUCT_UNPUBLISHED: 1,
  ITEM_SOLD: 2,
  LOGIN_FAILED: 1,
  CUSTOMER_CREATED: 1,
  CUSTOMER_UPDATED: 1,
};

export const EVENT_TYPE_NAMES = Object.keys(LATEST_VERSION);

/**
 * Decimal prices whose binary value times 100 is not the cents they stand for (0.29 × 100 is
 * 28.999999999999996, 1.005 × 100 is 100.49999999999999), besides exact ones.
 */
const V1_PRICES = ['12.99', '0.29', '1.005', '4.35', '1.255', '0.1', '19.999', '0', '8'];

/** ITEM_SOLD v1 with the n-th price of {@link V1_PRICES}. */
function pricedItemSoldV1(n: number): CloudEvent {
  const event = itemSoldV1(n);
  const data = event.data as { lines: Array<Record<string, unknown>> };
  const price = Number(V1_PRICES[n % V1_PRICES.length]);
  return {
    ...event,
    data: { ...data, lines: data.lines.map((l) => ({ ...l, unitPrice: price })) },
  };
}

/**
 * Cents of a decimal price text, rounded half up, by integer arithmetic on the text: the
 * oracle for the upcast, independent of how the router converts numbers.
 */
export function centsOf(text: string): number {
  const [whole = '0', fraction = ''] = text.split('.');
  const thousandths = BigInt(whole) * 1000n + BigInt(fraction.padEnd(3, '0').slice(0, 3));
  return Number((thousandths + 5n) / 10n);
}

/** The data of `event` at its type's latest version, as the upcast must make it. */
function latestData(event: CloudEvent): unknown {
  if (event.type !== 'ITEM_SOLD' || event.dataversion !== 1) return event.data;
  const { currency, lines, ...rest } = event.data as {
    currency: string;
    lines: Array<Record<string, unknown> & { unitPrice: number }>;
  };
  return {
    ...rest,
    lines: lines.map(({ unitPrice, ...line }, i) => ({
      ...line,
      lineId: String(i + 1),
      unitPrice: { amount: centsOf(String(unitPrice)), currency },
    })),
  };
}

/** Valid events of every registered type (and both ITEM_SOLD versions). */
const MAKERS: ReadonlyArray<(n: number) => CloudEvent> = [
  productPublished,
  (n) => ({ ...productPublished(n), type: 'PRODUCT_UPDATED' }),
  (n) => ({ ...productPublished(n), type: 'PRODUCT_UNPUBLISHED' }),
  itemSold,
  pricedItemSoldV1,
  loginFailed,
  (n) => ({ ...customerUpdated(n), type: 'CUSTOMER_CREATED' }),
  customerUpdated,
];

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');
const b64 = (bytes: Uint8Array | string): string =>
  (typeof bytes === 'string' ? utf8(bytes) : Buffer.from(bytes)).toString('base64');
const header = (name: string, value: Uint8Array | string): Record<string, number[]> => ({
  [name]: [...(typeof value === 'string' ? utf8(value) : value)],
});

/** Bytes that are UTF-8 but awkward downstream: NUL, quotes, multi-byte, U+FFFE/U+FFFF. */
const AWKWARD_TEXT = ['x', 'é', '€', '😀', '"', '\\', '\u0000', '\n', '\uffff', '\ufffe'];

/** Text of about `units` characters drawn from the awkward alphabet. */
const awkwardText = (maxUnits: number) =>
  fc.array(fc.constantFrom(...AWKWARD_TEXT), { maxLength: 8 }).chain((alphabet) =>
    fc
      .array(fc.constantFrom(...(alphabet.length > 0 ? alphabet : ['x'])), {
        maxLength: maxUnits,
      })
      .map((chars) => chars.join('')),
  );

/** Random bytes: often not UTF-8; sometimes valid UTF-8 encoding U+FFFF. */
const randomBytes = (maxLength: number) =>
  fc.oneof(
    fc.uint8Array({ maxLength }),
    fc.constant(new Uint8Array([0xef, 0xbf, 0xbf])),
    fc.constant(new Uint8Array([0x00, 0x00, 0x00, 0x00, 0x2a, 0x7b, 0x7d])), // schema-registry framing
  );

/** Header value bytes; Lambda's JSON may carry Java's signed bytes. */
const headerBytes = fc.oneof(
  fc.uint8Array({ maxLength: 12 }),
  fc.array(fc.integer({ min: -128, max: 127 }), { maxLength: 6 }).map((values) => {
    const bytes = new Uint8Array(values.length);
    values.forEach((v, i) => {
      bytes[i] = v & 0xff;
    });
    return bytes;
  }),
  awkwardText(6).map(utf8),
);

/** Headers that never make an event binary-mode nor change a structured one. */
const noiseHeaders = fc.array(
  fc
    .tuple(
      fc.constantFrom('', 'x-trace', 'x-trace', 'traceparent', 'CE_SPECVERSION', 'ce-id', 'é'),
      headerBytes,
    )
    .map(([name, value]) => header(name, value)),
  { maxLength: 3 },
);

/** Any header at all, including `ce_*` ones that switch the parser to binary mode. */
const wildHeaders = fc.array(
  fc.oneof(
    fc.tuple(fc.string({ maxLength: 6 }), headerBytes).map(([n, v]) => header(n, v)),
    fc
      .tuple(
        fc.constantFrom('ce_specversion', 'ce_type', 'ce_id', 'ce_dataversion', 'content-type'),
        fc.constantFrom('1.0', 'ITEM_SOLD', '', '2', 'application/json'),
      )
      .map(([n, v]) => header(n, v)),
  ),
  { maxLength: 4 },
);

const keys: fc.Arbitrary<string | null | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(''),
  fc.string({ maxLength: 12 }).map(b64),
  fc.string({ unit: 'binary', maxLength: 6 }).map(b64),
  randomBytes(8).map(b64),
);

const eventNumber = fc.nat({ max: 9999 });

/** A valid event, maybe padded (by `data.note`, which every schema allows) towards a size. */
const validEvent: fc.Arbitrary<{ event: CloudEvent; padded: boolean }> = fc
  .record({
    make: fc.constantFrom(...MAKERS),
    n: eventNumber,
    padding: fc.oneof(
      { weight: 8, arbitrary: fc.constant('') },
      { weight: 2, arbitrary: awkwardText(40) },
      // Around the 4 KiB limit of the tests, where JOB_REJECTED starts.
      { weight: 2, arbitrary: fc.integer({ min: 2800, max: 3900 }).map((n) => 'x'.repeat(n)) },
      {
        weight: 1,
        arbitrary: fc.integer({ min: 3000, max: 7000 }).map((n) => 'é'.repeat(Math.floor(n / 2))),
      },
    ),
    subject: fc.boolean(),
  })
  .map(({ make, n, padding, subject }) => {
    const event = make(n);
    if (!subject) delete (event as { subject?: string }).subject;
    if (padding === '') return { event, padded: false };
    const data = { ...(event.data as Record<string, unknown>), note: padding };
    return { event: { ...event, data }, padded: true };
  });

/**
 * A valid event's expectation. `carried` approximates the event as its jobs carry it (the
 * received attributes at the latest version); only upcasts make it differ, by a few bytes.
 */
const expectEvent = (event: CloudEvent, carried: Record<string, unknown>): Expectation => ({
  kind: 'event',
  type: event.type,
  source: event.source,
  id: event.id,
  eventBytes: sqsJsonBytes(JSON.stringify({ ...carried, dataversion: LATEST_VERSION[event.type] })),
  event: { ...carried, dataversion: LATEST_VERSION[event.type], data: latestData(event) },
});

/**
 * UTF-8 size of JSON text once U+FFFE and U+FFFF are escaped (6 bytes instead of 3), as
 * they must be for SQS to accept the message.
 */
export function sqsJsonBytes(json: string): number {
  return Buffer.byteLength(json) + 3 * (json.match(/[\ufffe\uffff]/g)?.length ?? 0);
}

const invalid = (...reasons: RecordFailureReason[]): Expectation => ({ kind: 'invalid', reasons });

/** Structured mode: the envelope is the value; content-type is irrelevant. */
const structuredValid: fc.Arbitrary<RecordDraft> = fc
  .record({
    valid: validEvent,
    versionBy: fc.constantFrom('dataversion', 'dataschema', 'both'),
    contentType: fc.constantFrom(
      undefined,
      'application/cloudevents+json',
      'application/cloudevents+json; charset=UTF-8',
      'text/plain',
      '',
    ),
    extension: fc.boolean(),
    key: keys,
    noise: noiseHeaders,
  })
  .map(({ valid, versionBy, contentType, extension, key, noise }) => {
    const event: Record<string, unknown> = { ...valid.event };
    const version = valid.event.dataversion;
    if (versionBy !== 'dataversion') {
      event.dataschema = `urn:sluice:events:${valid.event.type}:v${version}`;
    }
    if (versionBy === 'dataschema') delete event.dataversion;
    if (extension) event.traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const headers = contentType === undefined ? [] : [header('content-type', contentType)];
    return {
      label: `structured ${valid.event.type} by ${versionBy}${valid.padded ? ' padded' : ''}`,
      key,
      value: b64(JSON.stringify(event)),
      headers: [...headers, ...noise],
      expect: expectEvent(valid.event, event),
    };
  });

/** Binary mode: attributes in `ce_*` headers, data as the value. */
const binaryValid: fc.Arbitrary<RecordDraft> = fc
  .record({
    valid: validEvent,
    contentType: fc.constantFrom(
      undefined,
      'application/json',
      'application/json; charset=utf-8',
      ' application/json ;x=1',
      'ce_datacontenttype',
    ),
    versionBy: fc.constantFrom('dataversion', 'dataschema'),
    repeatedType: fc.boolean(),
    order: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    key: keys,
    noise: noiseHeaders,
  })
  .map(({ valid, contentType, versionBy, repeatedType, order, key, noise }) => {
    const { event } = valid;
    const attributes: Array<[string, string]> = [
      ...ceHeaders(event),
      versionBy === 'dataversion'
        ? ['ce_dataversion', String(event.dataversion)]
        : ['ce_dataschema', `urn:sluice:events:${event.type}:v${event.dataversion}`],
    ];
    if (event.subject !== undefined) attributes.push(['ce_subject', event.subject]);
    if (contentType === 'ce_datacontenttype') {
      attributes.push(['ce_datacontenttype', 'application/json'], ['content-type', 'text/plain']);
    } else if (contentType !== undefined) {
      attributes.push(['content-type', contentType]);
    }
    // Header order is free; only the last of repeated names counts.
    const shuffled = attributes
      .map((attribute, i) => ({ attribute, rank: order[i] ?? i }))
      .sort((a, b) => a.rank - b.rank)
      .map(({ attribute: [name, value] }) => header(name, value));
    const junk = repeatedType ? [header('ce_type', 'NOT_THIS_ONE')] : [];
    const carried: Record<string, unknown> = {};
    for (const [name, value] of attributes) {
      if (name.startsWith('ce_')) carried[name.slice(3)] = value;
    }
    carried.datacontenttype ??= contentType?.split(';')[0]?.trim();
    carried.data = event.data;
    return {
      label: `binary ${event.type} by ${versionBy}, content-type ${String(contentType)}`,
      key,
      value: b64(JSON.stringify(event.data)),
      headers: [...junk, ...noise, ...shuffled],
      expect: expectEvent(event, carried),
    };
  });

type Mutation = [
  label: string,
  mutate: (e: Record<string, unknown>) => unknown,
  RecordFailureReason,
];

const firstDataKeyRemoved = (e: Record<string, unknown>) => {
  const data = { ...(e.data as Record<string, unknown>) };
  delete data[Object.keys(data)[0] ?? ''];
  return { ...e, data };
};
const without = (name: string) => (e: Record<string, unknown>) => {
  const copy = { ...e };
  delete copy[name];
  return copy;
};

/** Ways to break a valid structured event, each with the one reason it must give. */
const MUTATIONS: readonly Mutation[] = [
  ['required data property missing', firstDataKeyRemoved, 'SCHEMA_VIOLATION'],
  ['data is an array', (e) => ({ ...e, data: [] }), 'INVALID_ENVELOPE'],
  ['data is null', (e) => ({ ...e, data: null }), 'INVALID_ENVELOPE'],
  ['unknown type', (e) => ({ ...e, type: 'NO_SUCH_TYPE' }), 'UNKNOWN_TYPE'],
  ['lower-case type', (e) => ({ ...e, type: 'item_sold' }), 'INVALID_ENVELOPE'],
  ['unknown version', (e) => ({ ...e, dataversion: 3 }), 'UNKNOWN_VERSION'],
  ['version 99', (e) => ({ ...e, dataversion: 99 }), 'UNKNOWN_VERSION'],
  ['version 0', (e) => ({ ...e, dataversion: 0 }), 'INVALID_ENVELOPE'],
  ['version as text', (e) => ({ ...e, dataversion: '1' }), 'INVALID_ENVELOPE'],
  ['missing dataversion', without('dataversion'), 'INVALID_ENVELOPE'],
  [
    'dataschema of another type',
    (e) => ({ ...without('dataversion')(e), dataschema: 'urn:sluice:events:OTHER:v1' }),
    'INVALID_ENVELOPE',
  ],
  ['specversion 0.3', (e) => ({ ...e, specversion: '0.3' }), 'INVALID_ENVELOPE'],
  ['empty id', (e) => ({ ...e, id: '' }), 'INVALID_ENVELOPE'],
  ['time not a date', (e) => ({ ...e, time: 'yesterday' }), 'INVALID_ENVELOPE'],
  ['missing source', without('source'), 'INVALID_ENVELOPE'],
  ['content type not JSON', (e) => ({ ...e, datacontenttype: 'text/xml' }), 'INVALID_ENVELOPE'],
  ['not an object', (e) => [e], 'INVALID_ENVELOPE'],
];

const structuredInvalid: fc.Arbitrary<RecordDraft> = fc
  .record({
    valid: validEvent,
    mutation: fc.constantFrom(...MUTATIONS),
    key: keys,
    noise: noiseHeaders,
  })
  .map(({ valid, mutation: [label, mutate, reason], key, noise }) => ({
    label: `structured ${valid.event.type}: ${label}`,
    key,
    value: b64(JSON.stringify(mutate({ ...valid.event }))),
    headers: noise,
    expect: invalid(reason),
  }));

/** Binary-mode records that must fail, each for one reason. */
const binaryInvalid: fc.Arbitrary<RecordDraft> = fc
  .record({
    n: eventNumber,
    how: fc.constantFrom(
      'content-type text/plain',
      'no ce_source',
      'version not a number',
      'unknown version',
      'value not JSON',
      'value an array',
      'schema violation',
      'last ce_type unknown',
    ),
    key: keys,
  })
  .map(({ n, how, key }) => {
    const event = loginFailed(n);
    const headers: Array<[string, string]> = [...ceHeaders(event), ['ce_dataversion', '1']];
    let value = JSON.stringify(event.data);
    let reason: RecordFailureReason = 'INVALID_ENVELOPE';
    if (how === 'content-type text/plain') headers.push(['content-type', 'text/plain']);
    if (how === 'no ce_source') headers.splice(2, 1);
    if (how === 'version not a number') headers.push(['ce_dataversion', 'one']);
    if (how === 'unknown version') {
      headers.push(['ce_dataversion', '9']);
      reason = 'UNKNOWN_VERSION';
    }
    if (how === 'value not JSON') {
      value = value.slice(0, -1);
      reason = 'NOT_JSON';
    }
    if (how === 'value an array') value = '[1]';
    if (how === 'schema violation') {
      value = JSON.stringify({ ...(event.data as object), ip: 'not an ip' });
      reason = 'SCHEMA_VIOLATION';
    }
    if (how === 'last ce_type unknown') {
      headers.push(['ce_type', 'NO_SUCH_TYPE']);
      reason = 'UNKNOWN_TYPE';
    }
    return {
      label: `binary LOGIN_FAILED: ${how}`,
      key,
      value: b64(value),
      headers: headers.map(([name, v]) => header(name, v)),
      expect: invalid(reason),
    };
  });

/** Values that are not events at all; the reason depends on the bytes. */
const garbage: fc.Arbitrary<RecordDraft> = fc
  .record({
    value: fc.oneof(
      randomBytes(64).map((bytes) => ({ label: 'random bytes', value: b64(bytes) })),
      fc.integer({ min: 4000, max: 9000 }).map((n) => ({
        label: 'large random bytes',
        value: b64(Buffer.alloc(n, 0xfe)),
      })),
      fc.string({ unit: 'binary', maxLength: 40 }).map((t) => ({ label: 'text', value: b64(t) })),
      fc
        .jsonValue({ maxDepth: 2 })
        .map((v) => ({ label: 'JSON', value: b64(JSON.stringify(v) ?? 'null') })),
      fc
        .constantFrom('42', '"text"', 'null', '[]', 'true', '{}', 'not json', '{"a":')
        .map((t) => ({ label: `literal ${t}`, value: b64(t) })),
      fc.constant({ label: 'value absent', value: undefined }),
      fc.constant({ label: 'value null', value: null }),
    ),
    key: keys,
    headers: wildHeaders,
  })
  .map(({ value, key, headers }) => ({
    label: value.label,
    key,
    value: value.value,
    headers,
    expect: invalid('NOT_DECODABLE', 'NOT_JSON', 'INVALID_ENVELOPE'),
  }));

/**
 * Producer-controlled strings far longer than an SQS message: the claim check must carry
 * the record, and whatever stays in the SQS message must still fit.
 */
const longIdentity: fc.Arbitrary<RecordDraft> = fc
  .record({
    n: eventNumber,
    length: fc.integer({ min: 300, max: 6000 }),
    which: fc.constantFrom('type', 'id', 'source'),
    key: keys,
  })
  .map(({ n, length, which, key }): RecordDraft => {
    const event = productPublished(n);
    if (which === 'source') {
      const long = { ...event, source: `urn:${'s'.repeat(length)}` };
      return {
        label: `event with a ${length}-character source`,
        key,
        value: b64(JSON.stringify(long)),
        headers: [],
        // Sources of up to 1,024 characters are valid.
        expect: long.source.length <= 1024 ? expectEvent(long, long) : invalid('INVALID_ENVELOPE'),
      };
    }
    const long =
      which === 'type'
        ? { ...event, type: `T${'A'.repeat(length)}` }
        : { ...event, id: 'i'.repeat(length) };
    return {
      label: `event with a ${length}-character ${which}`,
      key,
      value: b64(JSON.stringify(long)),
      headers: [],
      // Types of up to 128 characters are well-formed but unknown.
      expect: invalid(which === 'type' && length < 128 ? 'UNKNOWN_TYPE' : 'INVALID_ENVELOPE'),
    };
  });

/** A valid event with `extra` put into its data, as the value's JSON text. */
function withExtra(n: number, extraJson: string): { event: CloudEvent; text: string } {
  const event = loginFailed(n);
  const text = JSON.stringify({ ...event, data: { ...(event.data as object), extra: 0 } });
  return { event, text: text.replace('"extra":0', `"extra":${extraJson}`) };
}

/**
 * Hostile sizes: nesting deeper than the contract allows and just within it, strings over
 * and under the string limit (an 80,000-character email), more headers than allowed, huge
 * keys; and records that make the router's own parser throw (see TRAP_MARKER).
 */
const hostile: fc.Arbitrary<RecordDraft> = fc.oneof(
  fc.record({ n: eventNumber, depth: fc.integer({ min: 31, max: 3000 }) }).map(({ n, depth }) => {
    // data is level 2 and `extra` level 3: 30 brackets reach level 32, the limit.
    const { event, text } = withExtra(n, `${'['.repeat(depth)}${']'.repeat(depth)}`);
    const fits = depth <= 30;
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return {
      label: `extra nested ${depth} deep`,
      key: null,
      value: b64(text),
      headers: [],
      expect: fits ? expectEvent(event, parsed) : invalid('LIMIT_EXCEEDED'),
    };
  }),
  fc
    .record({ n: eventNumber, length: fc.constantFrom(200, 60_000, 65_537, 80_000) })
    .map(({ n, length }) => {
      const event = loginFailed(n);
      const email = `a@${'.'.repeat(length - 3)}@`;
      const long = { ...event, data: { ...(event.data as object), email } };
      return {
        label: `${length}-character email`,
        key: null,
        value: b64(JSON.stringify(long)),
        headers: [],
        expect: invalid(length > 65_536 ? 'LIMIT_EXCEEDED' : 'SCHEMA_VIOLATION'),
      };
    }),
  fc.record({ n: eventNumber, count: fc.integer({ min: 60, max: 90 }) }).map(({ n, count }) => ({
    label: `${count} headers`,
    key: null,
    value: b64(JSON.stringify(loginFailed(n))),
    headers: Array.from({ length: count }, (_, i) => header(`x-h${i}`, 'v')),
    expect:
      count <= 64 ? expectEvent(loginFailed(n), { ...loginFailed(n) }) : invalid('LIMIT_EXCEEDED'),
  })),
  fc.record({ n: eventNumber, bytes: fc.constantFrom(1024, 1025, 50_000) }).map(({ n, bytes }) => ({
    label: `${bytes}-byte key`,
    key: b64('k'.repeat(bytes)),
    value: b64(JSON.stringify(loginFailed(n))),
    headers: [],
    expect:
      bytes <= 1024
        ? expectEvent(loginFailed(n), { ...loginFailed(n) })
        : invalid('LIMIT_EXCEEDED'),
  })),
  eventNumber.map((n) => {
    const { text } = withExtra(n, JSON.stringify(TRAP_MARKER));
    return {
      label: 'parser throws',
      key: null,
      value: b64(text),
      headers: [],
      expect: invalid('ROUTER_ERROR'),
    };
  }),
);

/** A record whose value holds this string makes the test harness's parser throw. */
export const TRAP_MARKER = 'sluice-test-trap';

/** One record of any kind, weighted towards the cases that exercise most code. */
export const recordDraft: fc.Arbitrary<RecordDraft> = fc.oneof(
  { weight: 5, arbitrary: structuredValid },
  { weight: 3, arbitrary: binaryValid },
  { weight: 3, arbitrary: structuredInvalid },
  { weight: 1, arbitrary: binaryInvalid },
  { weight: 3, arbitrary: garbage },
  { weight: 1, arbitrary: longIdentity },
  { weight: 1, arbitrary: hostile },
);

const TOPICS = ['catalog.events', 'orders.events', 'identity-events_v2'];

/**
 * A batch as Lambda delivers it: up to `maxRecords` records over a few partitions of a
 * few topics, offsets increasing (with gaps) within each partition.
 */
export function mskBatch(maxRecords: number): fc.Arbitrary<GeneratedBatch> {
  const partition = fc.record({
    topic: fc.constantFrom(...TOPICS),
    partition: fc.nat({ max: 11 }),
    firstOffset: fc.oneof(fc.nat({ max: 1000 }), fc.nat({ max: 2 ** 40 })),
  });
  return fc
    .record({
      partitions: fc.uniqueArray(partition, {
        minLength: 1,
        maxLength: 4,
        selector: (p) => `${p.topic}-${p.partition}`,
      }),
      records: fc.array(
        fc.record({
          slot: fc.nat(),
          gap: fc.integer({ min: 1, max: 3 }),
          timestamp: fc.nat({ max: 2 ** 41 }),
          timestampType: fc.constantFrom('CREATE_TIME', 'LOG_APPEND_TIME'),
          draft: recordDraft,
        }),
        // Without size 'max', fast-check keeps arrays to about 10 elements.
        { maxLength: maxRecords, size: 'max' },
      ),
    })
    .map(({ partitions, records }) => {
      const next = partitions.map((p) => p.firstOffset);
      const grouped = new Map<string, GeneratedRecord[]>();
      for (const p of partitions) grouped.set(`${p.topic}-${p.partition}`, []);
      for (const { slot, gap, timestamp, timestampType, draft } of records) {
        const index = slot % partitions.length;
        const p = partitions[index] as (typeof partitions)[number];
        const offset = (next[index] ?? 0) + gap - 1;
        next[index] = offset + 1;
        const record: IncomingKafkaRecord = {
          topic: p.topic,
          partition: p.partition,
          offset,
          timestamp,
          timestampType: timestampType as IncomingKafkaRecord['timestampType'],
          headers: draft.headers,
        };
        if (draft.key !== undefined) record.key = draft.key;
        if (draft.value !== undefined) record.value = draft.value;
        grouped.get(`${p.topic}-${p.partition}`)?.push({
          record,
          label: draft.label,
          expect: draft.expect,
        });
      }
      const event: Record<string, IncomingKafkaRecord[]> = {};
      for (const [name, list] of grouped)
        if (list.length > 0) event[name] = list.map((r) => r.record);
      const batch: GeneratedBatch = {
        records: [...grouped.values()].flat(),
        // Lambda's type says key and value are always strings; real events may lack them.
        event: { records: event } as unknown as Pick<MSKEvent, 'records'>,
      };
      // Counterexamples print as one readable line per record instead of raw base64.
      Object.defineProperty(batch, fc.toStringMethod, { value: () => describeBatch(batch) });
      return batch;
    });
}

/** Shows U+FFFF, NUL and friends as escapes so a counterexample can be read and copied. */
const escapeNonAscii = (text: string): string =>
  text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A record per line: where it is, how it was built, and its key, value and headers as text. */
export function describeBatch(batch: GeneratedBatch): string {
  const text = (base64: string | null | undefined, max: number): string => {
    if (base64 === undefined || base64 === null) return String(base64);
    const decoded = Buffer.from(base64, 'base64').toString('utf8');
    const shown = decoded.length > max ? `${decoded.slice(0, max)}...` : decoded;
    return escapeNonAscii(JSON.stringify(shown));
  };
  const lines = batch.records.map(({ record, label }) => {
    const headers = (record.headers ?? []).flatMap((h) =>
      Object.entries(h).map(([name, bytes]) => `${name}=${Buffer.from(bytes).toString('utf8')}`),
    );
    const shownHeaders = escapeNonAscii(JSON.stringify(headers));
    const bytes = Buffer.from(record.value ?? '', 'base64').length;
    return (
      `  ${record.topic}-${record.partition}@${record.offset} [${label}] key=${text(record.key, 20)}` +
      ` value(${bytes} bytes)=${text(record.value, 240)} headers=${shownHeaders}`
    );
  });
  return `batch of ${batch.records.length}:\n${lines.join('\n')}`;
}

/** The CloudEvents binary-mode headers every event carries (the version is each caller's). */
function ceHeaders(event: {
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly time: string;
}): Array<[string, string]> {
  return [
    ['ce_specversion', '1.0'],
    ['ce_id', event.id],
    ['ce_source', event.source],
    ['ce_type', event.type],
    ['ce_time', event.time],
  ];
}
