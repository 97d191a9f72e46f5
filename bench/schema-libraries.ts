/**
 * Schema-library shoot-out for the Sluice router: envelope + data validation of CloudEvents-style
 * records with zod 4 (classic, classic + z.compile, mini), valibot 1.5, typebox 1.4 (Compile,
 * Schema.Compile, Value.Check), @sinclair/typebox 0.34 TypeCompiler and ajv 8.
 *
 * Fairness: every library checks the same rules; date-time, email, IP and currency are `pattern`
 * regexes everywhere (ajv would need ajv-formats for `format`, which is not installed).
 * Bundles: one esbuild bundle per library whose entry is `probe(makeX)`; a plugin replaces every
 * other library imported here by an empty stub and `define` turns `main()` into dead code, so
 * each bundle holds one library plus ~1 kB of shared glue (see the floor row).
 *
 * Run: npm run bench:schemas   (human table on stderr, JSON summary as the last stdout line)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import {
  type Static as Static034,
  type TSchema as TSchema034,
  Type as Type034,
} from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { build, type Plugin } from 'esbuild';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { Compile as SchemaCompile } from 'typebox/schema';
import { Value } from 'typebox/value';
import * as v from 'valibot';
import * as z from 'zod'; // namespace import: `import { z } from 'zod'` bundles ~450 kB instead
import * as zm from 'zod/mini';
import { ESBUILD_TARGET } from '../infra/bundling';

// ---------------------------------------------------------------- shared rules and types
const P = {
  dateTime: '^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:[Zz]|[+-]\\d{2}:\\d{2})$',
  currency: '^[A-Z]{3}$',
  email: '^[^\\s@]+@[^\\s@][^\\s@.]*\\.[^\\s@]+$',
  ip: '^(?:(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)(?:\\.(?:25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}|(?=[^:]*:)[0-9A-Fa-f:.]{2,45})$',
} as const;
const MAX_LINES = 500;
const SCHEMA_ID = 'https://schemas.sluice.dev/ITEM_SOLD/1.json';
const SCHEMA_TITLE = 'ITEM_SOLD v1';

/** Hand-written reference shapes: every library's derived type must be assignable to them. */
type Money = { amount: number; currency: string };
type Line = {
  lineId: string;
  productId: string;
  sellerId: string;
  quantity: number;
  unitPrice: Money;
};
type ItemSold = { orderId: string; soldAt: string; currency: string; lines: Line[] };
type LoginFailed = {
  accountId: string;
  email: string;
  ip: string;
  userAgent: string;
  reason?: string;
};
type Envelope = {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  dataversion: number;
  datacontenttype?: 'application/json';
  data: object;
};

export type Issue = { path: string; message: string };
export type CheckOutcome = { ok: true; value: unknown } | { ok: false; issues: Issue[] };
type Check = (value: unknown) => CheckOutcome;
export interface Adapter {
  validate: Check;
  /** JSON Schema of ITEM_SOLD v1 with $id/title, or why it cannot be produced. */
  jsonSchema: (() => object) | string;
  /** Requirement 4: 'yes' only type-checks when the derived types match the references. */
  types: string;
}

/** Compiles only if the schema-derived type carries every field of the reference type. */
const derives = <Reference, _Derived extends Reference>(): string => 'yes';
const ok = (value: unknown): CheckOutcome => ({ ok: true, value });
const fail = (issues: Issue[]): CheckOutcome => ({ ok: false, issues });
const pointer = (keys: readonly unknown[]): string =>
  keys.map((k) => `/${String(k).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');

/** The router's shape, shared by all libraries: envelope first, then data by (type, version). */
function route(envelope: Check, data: Record<string, Check>): Check {
  const byKey = new Map(Object.entries(data));
  return (input) => {
    const env = envelope(input);
    if (!env.ok) return env;
    const event = env.value as Envelope;
    const check = byKey.get(`${event.type}@${event.dataversion}`);
    if (!check) return fail([{ path: '/type', message: `no schema for ${event.type}` }]);
    const result = check(event.data);
    if (!result.ok) return fail(result.issues.map((i) => ({ ...i, path: `/data${i.path}` })));
    if (result.value !== event.data) event.data = result.value as object; // parsers return copies
    return env;
  };
}

// ---------------------------------------------------------------- adapters (one per library)
export function makeFloor(): Adapter {
  const touch: Check = (value) => {
    const e = value as { id?: unknown; data?: unknown };
    return typeof e.id === 'string' && typeof e.data === 'object' ? ok(value) : fail([]);
  };
  return { validate: touch, jsonSchema: 'n/a', types: 'n/a' };
}

function zodClassic(compiled: boolean): Adapter {
  const str = () => z.string().min(1);
  const re = (p: string) => z.string().regex(new RegExp(p));
  const money = z.looseObject({ amount: z.int().min(0), currency: re(P.currency) });
  const line = z.looseObject({
    lineId: str(),
    productId: str(),
    sellerId: str(),
    quantity: z.int().min(1),
    unitPrice: money,
  });
  const itemSold = z.looseObject({
    orderId: str(),
    soldAt: re(P.dateTime),
    currency: re(P.currency),
    lines: z.array(line).min(1).max(MAX_LINES),
  });
  const loginFailed = z.looseObject({
    accountId: z.string(),
    email: re(P.email),
    ip: re(P.ip),
    userAgent: z.string(),
    reason: z.string().optional(),
  });
  const envelope = z.looseObject({
    specversion: z.literal('1.0'),
    id: str(),
    source: str(),
    type: z.string(),
    time: re(P.dateTime),
    subject: z.string().optional(),
    dataversion: z.int().min(1),
    datacontenttype: z.literal('application/json').optional(),
    data: z.looseObject({}),
  });
  const check = (schema: z.ZodType): Check => {
    const s = compiled ? z.compile(schema, { strict: true }) : schema;
    return (value) => {
      const r = s.safeParse(value);
      if (r.success) return ok(r.data);
      return fail(r.error.issues.map((i) => ({ path: pointer(i.path), message: i.message })));
    };
  };
  return {
    validate: route(check(envelope), {
      'ITEM_SOLD@1': check(itemSold),
      'LOGIN_FAILED@1': check(loginFailed),
    }),
    jsonSchema: () => z.toJSONSchema(itemSold.meta({ $id: SCHEMA_ID, title: SCHEMA_TITLE })),
    types:
      derives<ItemSold, z.infer<typeof itemSold>>() &&
      derives<LoginFailed, z.infer<typeof loginFailed>>() &&
      derives<Envelope, z.infer<typeof envelope>>(),
  };
}
export const makeZod = (): Adapter => zodClassic(false);
export const makeZodCompiled = (): Adapter => zodClassic(true);

export function makeZodMini(): Adapter {
  const str = () => zm.string().check(zm.minLength(1));
  const re = (p: string) => zm.string().check(zm.regex(new RegExp(p)));
  const int = (min: number) => zm.int().check(zm.minimum(min));
  const money = zm.looseObject({ amount: int(0), currency: re(P.currency) });
  const line = zm.looseObject({
    lineId: str(),
    productId: str(),
    sellerId: str(),
    quantity: int(1),
    unitPrice: money,
  });
  const itemSold = zm.looseObject({
    orderId: str(),
    soldAt: re(P.dateTime),
    currency: re(P.currency),
    lines: zm.array(line).check(zm.minLength(1), zm.maxLength(MAX_LINES)),
  });
  const loginFailed = zm.looseObject({
    accountId: zm.string(),
    email: re(P.email),
    ip: re(P.ip),
    userAgent: zm.string(),
    reason: zm.optional(zm.string()),
  });
  const envelope = zm.looseObject({
    specversion: zm.literal('1.0'),
    id: str(),
    source: str(),
    type: zm.string(),
    time: re(P.dateTime),
    subject: zm.optional(zm.string()),
    dataversion: int(1),
    datacontenttype: zm.optional(zm.literal('application/json')),
    data: zm.looseObject({}),
  });
  const check =
    (schema: zm.ZodMiniType): Check =>
    (value) => {
      const r = zm.safeParse(schema, value);
      if (r.success) return ok(r.data);
      return fail(r.error.issues.map((i) => ({ path: pointer(i.path), message: i.message })));
    };
  return {
    validate: route(check(envelope), {
      'ITEM_SOLD@1': check(itemSold),
      'LOGIN_FAILED@1': check(loginFailed),
    }),
    jsonSchema: () =>
      zm.toJSONSchema(itemSold.with(zm.meta({ $id: SCHEMA_ID, title: SCHEMA_TITLE }))),
    types:
      derives<ItemSold, zm.infer<typeof itemSold>>() &&
      derives<LoginFailed, zm.infer<typeof loginFailed>>(),
  };
}

export function makeValibot(): Adapter {
  const str = () => v.pipe(v.string(), v.minLength(1));
  const re = (p: string) => v.pipe(v.string(), v.regex(new RegExp(p)));
  const int = (min: number) => v.pipe(v.number(), v.integer(), v.minValue(min));
  const money = v.looseObject({ amount: int(0), currency: re(P.currency) });
  const line = v.looseObject({
    lineId: str(),
    productId: str(),
    sellerId: str(),
    quantity: int(1),
    unitPrice: money,
  });
  const itemSold = v.looseObject({
    orderId: str(),
    soldAt: re(P.dateTime),
    currency: re(P.currency),
    lines: v.pipe(v.array(line), v.minLength(1), v.maxLength(MAX_LINES)),
  });
  const loginFailed = v.looseObject({
    accountId: v.string(),
    email: re(P.email),
    ip: re(P.ip),
    userAgent: v.string(),
    reason: v.optional(v.string()),
  });
  const envelope = v.looseObject({
    specversion: v.literal('1.0'),
    id: str(),
    source: str(),
    type: v.string(),
    time: re(P.dateTime),
    subject: v.optional(v.string()),
    dataversion: int(1),
    datacontenttype: v.optional(v.literal('application/json')),
    data: v.looseObject({}),
  });
  const check =
    (schema: v.GenericSchema): Check =>
    (value) => {
      const r = v.safeParse(schema, value);
      if (r.success) return ok(r.output);
      const path = (i: v.BaseIssue<unknown>) => pointer(i.path?.map((p) => p.key) ?? []);
      return fail(r.issues.map((i) => ({ path: path(i), message: i.message })));
    };
  return {
    validate: route(check(envelope), {
      'ITEM_SOLD@1': check(itemSold),
      'LOGIN_FAILED@1': check(loginFailed),
    }),
    jsonSchema: 'no: needs @valibot/to-json-schema',
    types:
      derives<ItemSold, v.InferOutput<typeof itemSold>>() &&
      derives<LoginFailed, v.InferOutput<typeof loginFailed>>(),
  };
}

/** JSON-Schema validators (ajv, typebox 1.x) report a missing property at its parent. */
type JsonSchemaError = { instancePath: string; message?: string; keyword: string; params: object };
const jsonSchemaIssue = (e: JsonSchemaError): Issue => {
  const p = e.params as { missingProperty?: string; requiredProperties?: string[] };
  const missing = p.missingProperty ?? p.requiredProperties?.[0];
  return {
    path: e.instancePath + (missing ? pointer([missing]) : ''),
    message: e.message ?? e.keyword,
  };
};

/** typebox 1.x: schemas are plain JSON Schema; objects allow additional properties by default. */
function typebox(mode: 'compile' | 'schema' | 'value'): Adapter {
  const str = () => Type.String({ minLength: 1 });
  const re = (pattern: string) => Type.String({ pattern });
  const money = Type.Object({ amount: Type.Integer({ minimum: 0 }), currency: re(P.currency) });
  const line = Type.Object({
    lineId: str(),
    productId: str(),
    sellerId: str(),
    quantity: Type.Integer({ minimum: 1 }),
    unitPrice: money,
  });
  const itemSold = Type.Object(
    {
      orderId: str(),
      soldAt: re(P.dateTime),
      currency: re(P.currency),
      lines: Type.Array(line, { minItems: 1, maxItems: MAX_LINES }),
    },
    { $id: SCHEMA_ID, title: SCHEMA_TITLE },
  );
  const loginFailed = Type.Object({
    accountId: Type.String(),
    email: re(P.email),
    ip: re(P.ip),
    userAgent: Type.String(),
    reason: Type.Optional(Type.String()),
  });
  const envelope = Type.Object({
    specversion: Type.Literal('1.0'),
    id: str(),
    source: str(),
    type: Type.String(),
    time: re(P.dateTime),
    subject: Type.Optional(Type.String()),
    dataversion: Type.Integer({ minimum: 1 }),
    datacontenttype: Type.Optional(Type.Literal('application/json')),
    data: Type.Object({}),
  });
  const check = (schema: Type.TSchema): Check => {
    if (mode === 'value') {
      return (x) =>
        Value.Check(schema, x) ? ok(x) : fail(Value.Errors(schema, x).map(jsonSchemaIssue));
    }
    if (mode === 'schema') {
      const c = SchemaCompile(schema);
      return (x) => (c.Check(x) ? ok(x) : fail(c.Errors(x)[1].map(jsonSchemaIssue)));
    }
    const c = Compile(schema);
    return (x) => (c.Check(x) ? ok(x) : fail(c.Errors(x).map(jsonSchemaIssue)));
  };
  return {
    validate: route(check(envelope), {
      'ITEM_SOLD@1': check(itemSold),
      'LOGIN_FAILED@1': check(loginFailed),
    }),
    jsonSchema: () => itemSold,
    types:
      derives<ItemSold, Type.Static<typeof itemSold>>() &&
      derives<LoginFailed, Type.Static<typeof loginFailed>>() &&
      derives<Envelope, Type.Static<typeof envelope>>(),
  };
}
export const makeTypebox = (): Adapter => typebox('compile');
export const makeTypeboxSchema = (): Adapter => typebox('schema');
export const makeTypeboxValue = (): Adapter => typebox('value');

export function makeSinclairTypebox(): Adapter {
  const T = Type034;
  const str = () => T.String({ minLength: 1 });
  const re = (pattern: string) => T.String({ pattern });
  const money = T.Object({ amount: T.Integer({ minimum: 0 }), currency: re(P.currency) });
  const line = T.Object({
    lineId: str(),
    productId: str(),
    sellerId: str(),
    quantity: T.Integer({ minimum: 1 }),
    unitPrice: money,
  });
  const itemSold = T.Object(
    {
      orderId: str(),
      soldAt: re(P.dateTime),
      currency: re(P.currency),
      lines: T.Array(line, { minItems: 1, maxItems: MAX_LINES }),
    },
    { $id: SCHEMA_ID, title: SCHEMA_TITLE },
  );
  const loginFailed = T.Object({
    accountId: T.String(),
    email: re(P.email),
    ip: re(P.ip),
    userAgent: T.String(),
    reason: T.Optional(T.String()),
  });
  const envelope = T.Object({
    specversion: T.Literal('1.0'),
    id: str(),
    source: str(),
    type: T.String(),
    time: re(P.dateTime),
    subject: T.Optional(T.String()),
    dataversion: T.Integer({ minimum: 1 }),
    datacontenttype: T.Optional(T.Literal('application/json')),
    data: T.Object({}),
  });
  const check = (schema: TSchema034): Check => {
    const c = TypeCompiler.Compile(schema);
    return (x) =>
      c.Check(x)
        ? ok(x)
        : fail([...c.Errors(x)].map((e) => ({ path: e.path, message: e.message })));
  };
  return {
    validate: route(check(envelope), {
      'ITEM_SOLD@1': check(itemSold),
      'LOGIN_FAILED@1': check(loginFailed),
    }),
    jsonSchema: () => itemSold,
    types:
      derives<ItemSold, Static034<typeof itemSold>>() &&
      derives<LoginFailed, Static034<typeof loginFailed>>(),
  };
}

export function makeAjv(): Adapter {
  const ajv = new Ajv(); // removeAdditional stays off: unknown fields are left untouched
  const str = { type: 'string', minLength: 1 };
  const re = (pattern: string) => ({ type: 'string', pattern });
  const int = (minimum: number) => ({ type: 'integer', minimum });
  const obj = (properties: Record<string, object>, optional: string[] = []) => ({
    type: 'object',
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
  });
  const money = obj({ amount: int(0), currency: re(P.currency) });
  const line = obj({
    lineId: str,
    productId: str,
    sellerId: str,
    quantity: int(1),
    unitPrice: money,
  });
  const lines = { type: 'array', items: line, minItems: 1, maxItems: MAX_LINES };
  const itemSold = {
    $id: SCHEMA_ID,
    title: SCHEMA_TITLE,
    ...obj({ orderId: str, soldAt: re(P.dateTime), currency: re(P.currency), lines }),
  };
  const loginFailed = obj(
    {
      accountId: { type: 'string' },
      email: re(P.email),
      ip: re(P.ip),
      userAgent: { type: 'string' },
      reason: { type: 'string' },
    },
    ['reason'],
  );
  const envelope = obj(
    {
      specversion: { const: '1.0' },
      id: str,
      source: str,
      type: { type: 'string' },
      time: re(P.dateTime),
      subject: { type: 'string' },
      dataversion: int(1),
      datacontenttype: { const: 'application/json' },
      data: { type: 'object' },
    },
    ['subject', 'datacontenttype'],
  );
  const check = <T>(schema: object): Check => {
    const validate = ajv.compile<T>(schema);
    return (x) => (validate(x) ? ok(x) : fail((validate.errors ?? []).map(jsonSchemaIssue)));
  };
  return {
    validate: route(check<Envelope>(envelope), {
      'ITEM_SOLD@1': check<ItemSold>(itemSold),
      'LOGIN_FAILED@1': check<LoginFailed>(loginFailed),
    }),
    jsonSchema: () => itemSold,
    types: 'no: hand-written types passed to ajv.compile<T>()',
  };
}

// ---------------------------------------------------------------- samples and data set
const SAMPLE_ITEM_SOLD = {
  specversion: '1.0',
  id: 'evt-1',
  source: 'urn:sluice:shop',
  type: 'ITEM_SOLD',
  time: '2025-03-14T09:26:53.589Z',
  dataversion: 1,
  traceparent: '00-0af7-01', // unknown (extension) fields at every level must survive
  data: {
    orderId: 'o-1',
    soldAt: '2025-03-14T09:26:50Z',
    currency: 'EUR',
    channel: 'web',
    lines: [
      {
        lineId: 'l1',
        productId: 'p-1',
        sellerId: 's-1',
        quantity: 2,
        unitPrice: { amount: 1999, currency: 'EUR', taxCode: 'A' },
        discountCode: 'X',
      },
    ],
  },
};
const SAMPLE_LOGIN_FAILED = {
  specversion: '1.0',
  id: 'evt-2',
  source: 'urn:sluice:auth',
  type: 'LOGIN_FAILED',
  time: '2025-03-14T09:26:53+01:00',
  dataversion: 1,
  datacontenttype: 'application/json',
  data: { accountId: 'a-1', email: 'ana@example.com', ip: '2001:db8::1', userAgent: 'curl/8.5' },
};

/** Cold-start probe = body of each per-library bundle. T0 is set by the bundle's first module. */
export function probe(make: () => Adapter): void {
  const t0 = (globalThis as { SCHEMA_BENCH_T0?: number }).SCHEMA_BENCH_T0 ?? 0;
  const adapter = make();
  const t1 = performance.now();
  const samples = [SAMPLE_ITEM_SOLD, SAMPLE_LOGIN_FAILED];
  const valid = samples.every((e) => adapter.validate(structuredClone(e)).ok);
  const t2 = performance.now();
  console.log(JSON.stringify({ importBuildMs: t1 - t0, firstMs: t2 - t1, readyMs: t2, valid }));
}

const DELETE = Symbol('delete');
type Mutation = [path: string, value: unknown];
const ENVELOPE_MUTATIONS: Mutation[] = [
  ['/specversion', '0.3'],
  ['/id', ''],
  ['/time', 'yesterday'],
  ['/dataversion', 0],
  ['/source', DELETE],
];
const ITEM_MUTATIONS: Mutation[] = [
  ['/data/lines/L/quantity', 0],
  ['/data/lines/L/unitPrice/amount', 12.5],
  ['/data/lines/L/unitPrice/currency', 'eur'],
  ['/data/lines/L/sellerId', ''],
  ['/data/lines', []],
  ['/data/currency', 'EURO'],
  ['/data/orderId', DELETE],
  ['/data/soldAt', '2025-03-14'],
];
const LOGIN_MUTATIONS: Mutation[] = [
  ['/data/email', 'nobody'],
  ['/data/ip', '999.1.1'],
  ['/data/accountId', 42],
  ['/data/reason', 7],
  ['/data/userAgent', DELETE],
];

function setPointer(root: unknown, path: string, value: unknown): void {
  const keys = path.split('/').slice(1);
  const last = keys.pop() ?? '';
  const parent = keys.reduce((node, key) => (node as Record<string, unknown>)[key], root);
  if (value === DELETE) delete (parent as Record<string, unknown>)[last];
  else (parent as Record<string, unknown>)[last] = value;
}

type Sample = { event: unknown; invalidAt?: string };
/** Deterministic mix: 50% ITEM_SOLD (1–5 lines, skewed low), 50% LOGIN_FAILED, 10% extras. */
function generate(count: number, invalidEvery: number): { records: Sample[]; meanBytes: number } {
  let seed = 0x5eed;
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) | 0; // mulberry32
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const records: Sample[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const sold = rnd() < 0.5;
    const n = 1 + Math.floor(rnd() ** 2 * 5);
    const line = (j: number) => ({
      lineId: `l${j}`,
      productId: `p-${(i * 7 + j) % 9973}`,
      sellerId: `s-${j}`,
      quantity: 1 + j,
      unitPrice: { amount: 100 * i + j, currency: 'EUR' },
    });
    const ip = i % 3 ? `203.0.113.${i % 256}` : `2001:db8::${(i % 65535).toString(16)}`;
    const data: object = sold
      ? { orderId: `o-${i}`, soldAt: '2025-03-14T09:26:50.1Z', currency: 'EUR', lines: [] }
      : { accountId: `a-${i}`, email: `user${i}@example.com`, ip, userAgent: 'Mozilla/5.0 (X11)' };
    if (sold) Object.assign(data, { lines: Array.from({ length: n }, (_, j) => line(j)) });
    else if (rnd() < 0.5) Object.assign(data, { reason: 'bad_password' });
    const event: Envelope = {
      specversion: '1.0',
      id: `evt-${i}`,
      source: `urn:sluice:${sold ? 'shop' : 'auth'}`,
      type: sold ? 'ITEM_SOLD' : 'LOGIN_FAILED',
      time: '2025-03-14T09:26:53.589Z',
      dataversion: 1,
      data,
    };
    if (rnd() < 0.1) Object.assign(event, { traceparent: `00-${i}-01`, data: { ...data, x: 1 } });
    const json = JSON.stringify(event);
    bytes += json.length;
    const record: Sample = { event: JSON.parse(json) };
    if (i % invalidEvery === invalidEvery - 1) {
      const pool = [...ENVELOPE_MUTATIONS, ...(sold ? ITEM_MUTATIONS : LOGIN_MUTATIONS)];
      const [path, value] = pool[Math.floor(rnd() * pool.length)] as Mutation;
      record.invalidAt = path.replace('/L/', `/${n - 1}/`);
      setPointer(record.event, record.invalidAt, value);
    }
    records.push(record);
  }
  return { records, meanBytes: Math.round(bytes / count) };
}

// ---------------------------------------------------------------- measurement
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const round1 = (x: number) => Math.round(x * 10) / 10;

type Lib = { id: string; label: string; make: () => Adapter; imports: string[] };
const LIBS: Lib[] = [
  { id: 'floor', label: 'floor (no validation)', make: makeFloor, imports: [] },
  { id: 'zod', label: 'zod 4.6 classic', make: makeZod, imports: ['zod'] },
  { id: 'zod-compile', label: 'zod 4.6 + z.compile', make: makeZodCompiled, imports: ['zod'] },
  { id: 'zod-mini', label: 'zod/mini 4.6', make: makeZodMini, imports: ['zod/mini'] },
  { id: 'valibot', label: 'valibot 1.5', make: makeValibot, imports: ['valibot'] },
  {
    id: 'typebox',
    label: 'typebox 1.4 Compile',
    make: makeTypebox,
    imports: ['typebox', 'typebox/compile'],
  },
  {
    id: 'typebox-schema',
    label: 'typebox 1.4 Schema.Compile',
    make: makeTypeboxSchema,
    imports: ['typebox', 'typebox/schema'],
  },
  {
    id: 'typebox-value',
    label: 'typebox 1.4 Value.Check',
    make: makeTypeboxValue,
    imports: ['typebox', 'typebox/value'],
  },
  {
    id: 'sinclair-typebox',
    label: '@sinclair/typebox 0.34 TC',
    make: makeSinclairTypebox,
    imports: ['@sinclair/typebox', '@sinclair/typebox/compiler'],
  },
  { id: 'ajv', label: 'ajv 8 compiled', make: makeAjv, imports: ['ajv'] },
];

/** Stubs every library this file imports except `keep`, and provides the T0 marker module. */
function isolate(self: string, keep: string[]): Plugin {
  const library = /^(zod|valibot|typebox|@sinclair\/typebox|ajv|esbuild)(\/.*)?$/;
  return {
    name: 'isolate-library',
    setup(b) {
      b.onResolve({ filter: /^t0-marker$/ }, (a) => ({ path: a.path, namespace: 'stub' }));
      b.onResolve({ filter: library }, (a) =>
        a.importer === self && !keep.includes(a.path)
          ? { path: a.path, namespace: 'stub' }
          : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'stub' }, (a) => ({
        contents:
          a.path === 't0-marker'
            ? 'globalThis.SCHEMA_BENCH_T0 = performance.now();'
            : 'module.exports = {};',
        loader: 'js',
      }));
    },
  };
}

async function bundleAndCold(lib: Lib, dir: string, self: string) {
  const result = await build({
    stdin: {
      contents: `import 't0-marker';\nimport { probe, ${lib.make.name} } from ${JSON.stringify(self)};\nprobe(${lib.make.name});\n`,
      resolveDir: dir,
      loader: 'ts',
    },
    bundle: true,
    minify: true,
    platform: 'node',
    target: ESBUILD_TARGET,
    format: 'cjs',
    write: false,
    metafile: true,
    logLevel: 'error',
    plugins: [isolate(self, lib.imports)],
    define: { 'process.env.SCHEMA_BENCH_BUNDLE': '"1"' },
  });
  const code = result.outputFiles[0]?.contents ?? new Uint8Array();
  const file = join(dir, `${lib.id}.cjs`);
  writeFileSync(file, code);
  const inputs = Object.values(result.metafile.outputs)[0]?.inputs ?? {};
  const packages = Object.entries(inputs)
    .filter(([, i]) => i.bytesInOutput > 0)
    .flatMap(([path]) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? []);
  const runs = Array.from({ length: 5 }, () => {
    const out = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    const last = out.stdout.trim().split('\n').pop() ?? '{}';
    const r = JSON.parse(last) as {
      importBuildMs: number;
      firstMs: number;
      readyMs: number;
      valid: boolean;
    };
    if (!r.valid) throw new Error(`${lib.id}: bundled probe rejected the samples ${out.stderr}`);
    return r;
  });
  return {
    bundleBytes: code.length,
    bundledPackages: [...new Set(packages)],
    coldImportBuildMs: round1(median(runs.map((r) => r.importBuildMs))),
    coldFirstValidateMs: round1(median(runs.map((r) => r.firstMs))),
    coldReadySinceProcessStartMs: round1(median(runs.map((r) => r.readyMs))),
  };
}

/** Emits the JSON Schema, then checks with ajv (2020-12) that it accepts/rejects like the lib. */
function verifyJsonSchema(adapter: Adapter, id: string): string {
  if (typeof adapter.jsonSchema === 'string') {
    const missing = id === 'valibot' && !existsSync('node_modules/@valibot/to-json-schema');
    return adapter.jsonSchema + (missing ? ' (not installed)' : '');
  }
  const text = JSON.stringify(adapter.jsonSchema());
  const check = new Ajv2020({ strict: false }).compile(JSON.parse(text));
  const bad = structuredClone(SAMPLE_ITEM_SOLD.data);
  setPointer(bad, '/lines/0/quantity', 0);
  const works = check(structuredClone(SAMPLE_ITEM_SOLD.data)) && !check(bad);
  const named = text.includes(SCHEMA_ID) && text.includes(SCHEMA_TITLE);
  return `${works ? 'yes' : 'BROKEN'}${named ? '' : ' (no $id/title)'}, ${text.length} B`;
}

async function main(): Promise<void> {
  const COUNT = 10_000;
  const ROUNDS = 9;
  const MIN_ROUND_MS = 25;
  const { records, meanBytes } = generate(COUNT, 50);
  const events = records.map((r) => r.event);
  const invalid = records.filter((r) => r.invalidAt).length;
  const adapters = new Map(LIBS.map((lib) => [lib.id, lib.make()]));
  const adapter = (lib: Lib) => adapters.get(lib.id) as Adapter;

  // Requirements 1–4: same verdicts, failing path reported, unknown fields kept, JSON Schema.
  const checks = LIBS.map((lib) => {
    const a = adapter(lib);
    let agree = 0;
    let pathFound = 0;
    for (const r of records) {
      const out = a.validate(structuredClone(r.event));
      if (out.ok === !r.invalidAt) agree++;
      if (!out.ok && out.issues.some((i) => i.path === r.invalidAt)) pathFound++;
    }
    const input = structuredClone(SAMPLE_ITEM_SOLD);
    const out = a.validate(input);
    const kept =
      out.ok &&
      isDeepStrictEqual(JSON.parse(JSON.stringify(out.value)), SAMPLE_ITEM_SOLD) &&
      isDeepStrictEqual(input, SAMPLE_ITEM_SOLD);
    const sameObject = out.ok && out.value === input;
    const bad = structuredClone(SAMPLE_ITEM_SOLD);
    setPointer(bad, '/data/lines/0/quantity', 0);
    const badOut = a.validate(bad);
    const floor = lib.id === 'floor';
    return {
      verdictsAgree: floor ? '-' : `${agree}/${COUNT}`,
      failingPathReported: floor ? '-' : `${pathFound}/${invalid}`,
      preservesUnknownFields: floor
        ? '-'
        : kept
          ? `yes (${sameObject ? 'in place' : 'copy'})`
          : 'NO',
      errorExample: badOut.ok ? '-' : `${badOut.issues[0]?.path}: ${badOut.issues[0]?.message}`,
      jsonSchema: floor ? '-' : verifyJsonSchema(a, lib.id),
      tsTypes: a.types,
    };
  });

  // Requirement 5: calibrate repetitions per library, rotate (and reverse) the order per round.
  let sink = 0;
  const timeIt = (a: Adapter, reps: number): number => {
    const t0 = process.hrtime.bigint();
    for (let k = 0; k < reps; k++) for (const e of events) if (a.validate(e).ok) sink++;
    return Number(process.hrtime.bigint() - t0) / (reps * events.length);
  };
  const reps = LIBS.map((lib) => {
    const ns = Math.min(...[1, 2, 3].map(() => timeIt(adapter(lib), 1))); // warm-up
    return Math.max(1, Math.ceil((MIN_ROUND_MS * 1e6) / (ns * COUNT)));
  });
  const samples: number[][] = LIBS.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    const order = LIBS.map((_, i) => (i + round) % LIBS.length);
    if (round % 2) order.reverse();
    for (const i of order) samples[i]?.push(timeIt(adapter(LIBS[i] as Lib), reps[i] ?? 1));
  }
  const ns = samples.map(median);
  const fastest = Math.min(...ns.slice(1));

  // Requirements 6–7: per-library bundle, cold start in fresh processes.
  const dir = mkdtempSync(join(tmpdir(), 'sluice-schema-bench-'));
  const self = fileURLToPath(import.meta.url);
  const rows = [];
  try {
    for (const [i, lib] of LIBS.entries()) {
      const nsPerRecord = Math.round(ns[i] ?? 0);
      rows.push({
        id: lib.id,
        label: lib.label,
        nsPerRecord,
        recordsPerSec: Math.round(1e9 / (ns[i] ?? 1)),
        vsFastest: i === 0 ? null : Math.round(((ns[i] ?? 0) / fastest) * 100) / 100,
        ...(await bundleAndCold(lib, dir, self)),
        ...checks[i],
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  type Row = (typeof rows)[number];
  const cols: [string, number, (r: Row) => string][] = [
    ['library', 26, (r) => r.label],
    ['ns/rec', 6, (r) => String(r.nsPerRecord)],
    ['rec/s', 10, (r) => r.recordsPerSec.toLocaleString('en-US')],
    ['vs best', 7, (r) => (r.vsFastest === null ? '-' : `${r.vsFastest.toFixed(2)}x`)],
    ['bundle B', 8, (r) => r.bundleBytes.toLocaleString('en-US')],
    ['cold ms', 8, (r) => `${r.coldImportBuildMs}+${r.coldFirstValidateMs}`],
    ['verdicts', 11, (r) => r.verdictsAgree ?? ''],
    ['paths', 7, (r) => r.failingPathReported ?? ''],
    ['unknown kept', 14, (r) => r.preservesUnknownFields ?? ''],
    ['JSON Schema', 49, (r) => r.jsonSchema ?? ''],
    ['error example', 0, (r) => r.errorExample ?? ''],
  ];
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(cols[i]?.[1] ?? 0)).join(' | ');
  const report = [
    `${COUNT} records, ${meanBytes} B JSON mean, ${invalid} invalid; envelope + data; ns/rec = median of ${ROUNDS} rounds`,
    'cold ms = import+build + first validation of both types (median of 5 fresh `node bundle.cjs`)',
    line(cols.map((c) => c[0])),
    ...rows.map((r) => line(cols.map((c) => c[2](r)))),
    ...rows.map(
      (r) => `  ${r.id}: types=${r.tsTypes}; bundled=${r.bundledPackages.join(',') || '-'}`,
    ),
  ];
  process.stderr.write(`${report.join('\n')}\n`);
  const libraries = Object.fromEntries(rows.map(({ id, ...r }) => [id, r]));
  const summary = { records: COUNT, meanBytes, invalid, rounds: ROUNDS, sink, libraries };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
}

if (process.env.SCHEMA_BENCH_BUNDLE !== '1') {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
