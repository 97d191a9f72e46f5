import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { schemaId } from '../../../functions/events/envelope';
import { EventParser } from '../../../functions/events/parse-event';
import { EventRegistry, upcastable } from '../../../functions/events/registry';
import { itemSold, itemSoldV1, loginFailed, productPublished } from '../../support/sample-events';

const parser = new EventParser();
const plain = (event: object): Record<string, unknown> => ({ ...event });
const structured = (event: object) => parser.parse(JSON.stringify(event), new Map());

function rejection(result: ReturnType<EventParser['parse']>) {
  if (result.ok) throw new Error('expected a rejection');
  return { reason: result.error.reason, path: result.error.path, message: result.error.message };
}

describe('EventParser: structured mode', () => {
  it('accepts a valid envelope and returns the event at its latest version', () => {
    const result = structured(productPublished(1));
    expect(result).toMatchObject({ ok: true, receivedVersion: 1 });
    if (result.ok) expect(result.event.data).toEqual({ productId: 'prod-1', catalogVersion: 2 });
  });

  it('preserves unknown fields in data and in nested objects (tolerant reader)', () => {
    const event = itemSold(3) as { data: { lines: object[] } } & object;
    const withExtras = {
      ...event,
      traceparent: '00-abc-def-01',
      data: {
        ...event.data,
        channel: 'mobile',
        lines: event.data.lines.map((line) => ({ ...line, giftWrap: true })),
      },
    };
    const result = structured(withExtras);
    if (!result.ok) throw result.error;
    expect(result.event).toMatchObject({
      traceparent: '00-abc-def-01',
      data: { channel: 'mobile' },
    });
    expect((result.event.data as { lines: Array<{ giftWrap: boolean }> }).lines[0]?.giftWrap).toBe(
      true,
    );
  });

  it('rejects a value that is not JSON, quoting the start of the value', () => {
    const result = parser.parse('Hello, this is a test.', new Map());
    expect(rejection(result)).toMatchObject({ reason: 'NOT_JSON' });
    expect(rejection(result).message).toContain('"Hello, this is a test."');
  });

  it('rejects JSON that is not an envelope object', () => {
    expect(rejection(parser.parse('[1,2]', new Map())).reason).toBe('INVALID_ENVELOPE');
    expect(rejection(parser.parse('"text"', new Map())).reason).toBe('INVALID_ENVELOPE');
  });

  it('reports the failing path of an envelope violation', () => {
    const { time: _time, ...withoutTime } = productPublished(1);
    expect(rejection(structured(withoutTime))).toMatchObject({
      reason: 'INVALID_ENVELOPE',
      path: '/time',
    });
    expect(rejection(structured({ ...productPublished(1), specversion: '0.3' })).path).toBe(
      '/specversion',
    );
  });

  it('reports the failing path of a data violation, prefixed with /data', () => {
    const event = itemSold(1) as { data: { lines: Array<Record<string, unknown>> } };
    const broken = structuredClone(event);
    (broken.data.lines[0] as Record<string, unknown>).quantity = 0;
    const result = rejection(structured(broken));
    expect(result).toMatchObject({ reason: 'SCHEMA_VIOLATION', path: '/data/lines/0/quantity' });
    expect(result.message).toContain('ITEM_SOLD v2');
  });

  it('requires a schema version, from dataversion or from one of our dataschema ids', () => {
    const { dataversion: _v, ...unversioned } = loginFailed(1);
    expect(rejection(structured(unversioned))).toMatchObject({
      reason: 'INVALID_ENVELOPE',
      path: '/dataversion',
    });
    const viaSchema = structured({ ...unversioned, dataschema: schemaId('LOGIN_FAILED', 1) });
    expect(viaSchema).toMatchObject({ ok: true, receivedVersion: 1 });
  });

  it('treats unknown types and versions as permanent, naming the versions it knows', () => {
    expect(rejection(structured({ ...loginFailed(1), type: 'PASSWORD_RESET' }))).toMatchObject({
      reason: 'UNKNOWN_TYPE',
      path: '/type',
    });
    const skew = rejection(structured({ ...itemSold(1), dataversion: 3 }));
    expect(skew).toMatchObject({ reason: 'UNKNOWN_VERSION', path: '/dataversion' });
    expect(skew.message).toContain('versions 1..2');
  });

  it('keeps what it could read of a rejected event for the dead letter', () => {
    const result = structured({ ...itemSold(9), dataversion: 7 });
    expect(result).toMatchObject({
      ok: false,
      identity: { id: 'evt-sale-9', source: 'urn:shop:orders', type: 'ITEM_SOLD', version: 7 },
    });
  });
});

describe('EventParser: upcasting', () => {
  it('upcasts ITEM_SOLD v1 decimal prices to v2 minor units and keeps unknown fields', () => {
    const v1 = itemSoldV1(4) as { data: Record<string, unknown> };
    const result = structured({ ...v1, data: { ...v1.data, channel: 'pos' } });
    if (!result.ok) throw result.error;
    expect(result.receivedVersion).toBe(1);
    expect(result.event.dataversion).toBe(2);
    expect(result.event.data).toEqual({
      orderId: 'order-v1-4',
      soldAt: '2026-11-28T09:30:00Z',
      channel: 'pos',
      lines: [
        {
          lineId: '1',
          productId: 'prod-4',
          sellerId: 'seller-1',
          quantity: 2,
          unitPrice: { amount: 1299, currency: 'EUR' },
        },
      ],
    });
  });

  it('upcasts to the same keys in the same order, unknown fields of lines included', () => {
    const v1 = itemSoldV1(4) as { data: { lines: Array<Record<string, unknown>> } };
    const line = v1.data.lines[0] as Record<string, unknown>;
    const data = { channel: 'pos', ...v1.data, lines: [{ note: 'gift', ...line }] };
    const result = structured({ ...v1, data });
    if (!result.ok) throw result.error;
    // The order is the one object spread gives: the record's JSON for the jobs depends on it.
    expect(JSON.stringify(result.event.data)).toBe(
      '{"channel":"pos","orderId":"order-v1-4","soldAt":"2026-11-28T09:30:00Z",' +
        '"lines":[{"note":"gift","productId":"prod-4","sellerId":"seller-1","quantity":2,' +
        '"lineId":"1","unitPrice":{"amount":1299,"currency":"EUR"}}]}',
    );
  });

  it('keeps a field named __proto__ as a field when upcasting, as spread does', () => {
    const v1 = itemSoldV1(4) as { data: Record<string, unknown> };
    const json = JSON.stringify(v1).replace('"data":{', '"data":{"__proto__":{"x":1},');
    const result = new EventParser().parse(json, new Map());
    if (!result.ok) throw result.error;
    expect(JSON.stringify(result.event.data)).toContain('"__proto__":{"x":1}');
    expect(Object.getPrototypeOf(result.event.data)).toBe(Object.prototype);
  });

  it('uses the currency minor unit: JPY has none', () => {
    const v1 = itemSoldV1(1) as { data: { currency: string; lines: Array<{ unitPrice: number }> } };
    const yen = structuredClone(v1);
    yen.data.currency = 'JPY';
    (yen.data.lines[0] as { unitPrice: number }).unitPrice = 1500;
    const result = structured(yen);
    if (!result.ok) throw result.error;
    expect(result.event.data).toMatchObject({
      lines: [{ unitPrice: { amount: 1500, currency: 'JPY' } }],
    });
  });

  it('dead-letters an event whose upcast throws or yields invalid data', () => {
    const V1 = Type.Object({ n: Type.Number() });
    const V2 = Type.Object({ n: Type.Integer() });
    const registry = new EventRegistry([
      {
        type: 'COUNTED',
        topic: 'orders',
        description: 'test type',
        versions: [
          upcastable(1, V1, V2, ({ n }) => {
            if (n < 0) throw new RangeError('negative counts cannot be upcast');
            return { n };
          }),
          { version: 2, schema: V2 },
        ],
      },
    ]);
    const local = new EventParser(registry);
    const event = (n: number) =>
      JSON.stringify({ ...productPublished(1), type: 'COUNTED', dataversion: 1, data: { n } });
    expect(rejection(local.parse(event(-1), new Map()))).toMatchObject({
      reason: 'UPCAST_FAILED',
      message: expect.stringContaining('negative counts'),
    });
    expect(rejection(local.parse(event(1.5), new Map()))).toMatchObject({
      reason: 'UPCAST_FAILED',
      path: '/data/n',
    });
    expect(local.parse(event(2), new Map())).toMatchObject({ ok: true, event: { data: { n: 2 } } });
  });

  it('refuses a registry whose older versions cannot be upcast', () => {
    const V = Type.Object({});
    expect(
      () =>
        new EventRegistry([
          {
            type: 'BROKEN',
            topic: 'orders',
            description: 'test',
            versions: [
              { version: 1, schema: V },
              { version: 2, schema: V },
            ],
          },
        ]),
    ).toThrow('needs an upcast');
  });
});

describe('EventParser: binary mode (ce_* headers)', () => {
  const headersOf = (event: Record<string, unknown>) => {
    const headers = new Map<string, string>();
    for (const [name, value] of Object.entries(event)) {
      if (name !== 'data') headers.set(`ce_${name}`, String(value));
    }
    return headers;
  };

  it('reads attributes from ce_ headers and data from the value', () => {
    const { data, datacontenttype: _ct, ...attributes } = plain(loginFailed(2));
    const headers = headersOf(attributes);
    headers.set('content-type', 'application/json; charset=utf-8');
    const result = parser.parse(JSON.stringify(data), headers);
    if (!result.ok) throw result.error;
    expect(result.event).toMatchObject({
      type: 'LOGIN_FAILED',
      id: 'evt-login-2',
      dataversion: 1,
      datacontenttype: 'application/json',
      data,
    });
  });

  it('rejects binary-mode data that is not JSON', () => {
    const { data: _data, ...attributes } = plain(loginFailed(2));
    const result = parser.parse('<xml/>', headersOf(attributes));
    expect(rejection(result).reason).toBe('NOT_JSON');
    expect(rejection(result).message).toContain('Binary-mode data');
  });

  it('rejects a non-JSON content type', () => {
    const { data, ...attributes } = plain(loginFailed(2));
    const headers = headersOf(attributes);
    headers.delete('ce_datacontenttype');
    headers.set('content-type', 'text/plain');
    expect(rejection(parser.parse(JSON.stringify(data), headers))).toMatchObject({
      reason: 'INVALID_ENVELOPE',
      path: '/datacontenttype',
    });
  });
});
