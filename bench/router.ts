/**
 * `npm run bench:router [-- --records N --rounds R]`: the production router against the
 * decoding floor and @aws-lambda-powertools/kafka + Zod, side by side in one process, on
 * the same MSK batch (~300-byte events, 2 % invalid). Human output goes to stderr; the last
 * stdout line is JSON: {"recordsPerSecond", "vsFloor", "vsPowertools", "routerBundleBytes"}.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { build } from 'esbuild';
import { jobsFor } from '../functions/router/plan';
import { ROUTES } from '../functions/topology/topology';
import { gitCodeVersion, sharedBundling } from '../infra/bundling';
import { mskEvent, mskRecord, structuredRecord } from '../test/support/msk';
import { sampleEvent } from '../test/support/sample-events';

const arg = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  const raw = index >= 0 ? process.argv[index + 1] : process.env[`BENCH_${name.toUpperCase()}`];
  return raw ? Number(raw) : fallback;
};
const RECORDS = arg('records', 10_000);
const ROUNDS = arg('rounds', 7);
const log = (line: string) => process.stderr.write(`${line}\n`);

/** The batch: valid events of every type, every 50th record broken in one of three ways. */
function batch(): { event: MSKEvent; valid: number[]; invalid: number; malformed: number } {
  const records: MSKRecord[] = [];
  const valid: number[] = [];
  let invalid = 0;
  let malformed = 0; // not JSON or an invalid envelope: what a schema without versions catches
  for (let n = 0; n < RECORDS; n++) {
    const at = { topic: 'catalog.events', partition: n % 6, offset: Math.floor(n / 6) };
    if (n % 50 === 49) {
      invalid++;
      const kind = Math.floor(n / 50) % 3;
      if (kind < 2) malformed++;
      if (kind === 0) records.push(mskRecord({ ...at, value: `not json ${n}` }));
      else if (kind === 1) records.push(structuredRecord({ ...sampleEvent(n), id: '' }, at));
      else records.push(structuredRecord({ ...sampleEvent(n), dataversion: 99 }, at));
      continue;
    }
    valid.push(n);
    records.push(structuredRecord(sampleEvent(n), at));
  }
  return { event: mskEvent(records), valid, invalid, malformed };
}

async function bundle(entry: string, outdir: string, optional: string[] = []): Promise<string> {
  const outfile = join(outdir, `${createHash('sha1').update(entry).digest('hex').slice(0, 8)}.js`);
  const options = sharedBundling(gitCodeVersion());
  await build({
    ...options,
    external: [...options.external, ...optional],
    mainFields: [...options.mainFields],
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

/** The floor: decode every key, value and header, JSON.parse, JSON.stringify a job. */
function floor(event: MSKEvent): number {
  let bytes = 0;
  for (const records of Object.values(event.records)) {
    for (const r of records) {
      const key = r.key === undefined ? null : Buffer.from(r.key, 'base64').toString('utf8');
      const headers = r.headers.map((h) =>
        Object.entries(h).map(([k, v]) => [k, Buffer.from(v).toString('utf8')]),
      );
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.from(r.value, 'base64').toString('utf8'));
      } catch {
        continue;
      }
      const provenance = {
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        key,
        headers: headers.length,
      };
      bytes += JSON.stringify({
        jobId: `${r.topic}-${r.offset}`,
        job: 'audit',
        event: parsed,
        provenance,
      }).length;
    }
  }
  return bytes;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  Object.assign(process.env, {
    SLUICE_STAGE: 'bench',
    SLUICE_QUEUE_URL_BASE: 'https://sqs.eu-west-1.amazonaws.com/123456789012/',
    SLUICE_CLAIM_CHECK_BUCKET: 'sluice-bench-claim-check',
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_METRICS_NAMESPACE: 'Sluice',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
  });
  const outdir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  const handlerFile = await bundle('functions/router/handler.ts', outdir);
  const routerBundleBytes = statSync(handlerFile).size;
  const require = createRequire(import.meta.url);
  const router = require(await bundle('bench/support/router-entry.ts', outdir)) as {
    handler: (e: MSKEvent) => Promise<unknown>;
    captured: { entries: number; calls: number };
  };
  const powertools = require(
    // Avro and Protobuf decoders are optional peers, loaded only for those schema types.
    await bundle('bench/support/powertools-baseline.ts', outdir, ['avro-js', 'protobufjs']),
  ) as {
    handler: (e: MSKEvent, c: unknown) => Promise<void>;
    counts: { valid: number; invalid: number };
  };

  const { event, valid, invalid, malformed } = batch();
  log(
    `bench:router — ${RECORDS} records (${invalid} invalid), ${ROUNDS} rounds, bundle ${routerBundleBytes} bytes`,
  );

  // Powertools writes logs and EMF metrics to stdout: keep stdout for the final line.
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;

  // Correctness check (untimed): every valid event's jobs plus one dead letter per invalid record.
  router.captured.entries = 0;
  await router.handler(event);
  const expected =
    valid.reduce((sum, n) => sum + jobsFor(ROUTES, sampleEvent(n).type).length, 0) + invalid;
  if (router.captured.entries !== expected) {
    throw new Error(`router sent ${router.captured.entries} entries, expected ${expected}`);
  }
  powertools.counts.invalid = 0;
  await powertools.handler(event, {});
  // The Zod baseline has no schema versions, so it accepts the unknown-version records.
  if (powertools.counts.invalid !== malformed) {
    throw new Error(
      `powertools rejected ${powertools.counts.invalid} records, expected ${malformed}`,
    );
  }

  const paths: Record<string, () => Promise<unknown>> = {
    router: () => router.handler(event),
    floor: async () => floor(event),
    powertools: () => powertools.handler(event, {}),
  };
  const times: Record<string, number[]> = { router: [], floor: [], powertools: [] };
  const names = Object.keys(paths);
  for (let round = -1; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? names : [...names].reverse();
    for (const name of order) {
      const started = process.hrtime.bigint();
      await (paths[name] as () => Promise<unknown>)();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (round >= 0) times[name]?.push(ms); // round -1 warms up
    }
  }
  process.stdout.write = stdoutWrite;

  const perSecond = (name: string) => RECORDS / (median(times[name] ?? []) / 1000);
  const rows = names.map((name) => ({
    path: name,
    'records/s': Math.round(perSecond(name)),
    [`ms per ${RECORDS}`]: Number(median(times[name] ?? []).toFixed(1)),
    'vs router': Number((perSecond(name) / perSecond('router')).toFixed(2)),
  }));
  console.error(rows);
  const result = {
    recordsPerSecond: Math.round(perSecond('router')),
    vsFloor: Number((perSecond('router') / perSecond('floor')).toFixed(3)),
    vsPowertools: Number((perSecond('router') / perSecond('powertools')).toFixed(3)),
    routerBundleBytes,
  };
  log(`targets: vsFloor ≥ 0.6, vsPowertools ≥ 2.5, routerBundleBytes ≤ 650000`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:router failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exitCode = 1;
});
