/**
 * `npm run bench:router [-- --records N --rounds R --cold-runs C --metafile FILE]` (or
 * BENCH_RECORDS / BENCH_ROUNDS / BENCH_COLD_RUNS):
 * the production router against the decoding floor and @aws-lambda-powertools/kafka + Zod,
 * side by side in one process, on the same MSK batch (~300-byte events, 2 % invalid).
 *
 * In the same run it bundles a bare handler (bench/support/bare-sqs-handler.ts: an SQSClient
 * and one SendMessageBatch) with the same esbuild options, and compares the two bundles: bytes,
 * and cold import time (a fresh `node` process requiring the bundle, median of
 * `--cold-runs N`, default 9, alternating router and bare).
 *
 * Human output, logs and EMF metrics go to stderr; the last stdout line is JSON:
 * {"recordsPerSecond", "vsFloor", "vsPowertools", "routerBundleBytes", "bareBundleBytes",
 * "bundleVsBare", "routerColdImportMs", "bareColdImportMs", "coldImportVsBare"}. Targets
 * (reported, not asserted): vsFloor ≥ 0.6, vsPowertools ≥ 2.5, routerBundleBytes ≤ 505000
 * (issue 19: 1.1 × the 459 kB a bare handler takes with esbuild's default main fields),
 * bundleVsBare ≤ 1.1 (against the bare handler built here, with the router's options).
 * `--metafile FILE` writes the router bundle's esbuild metafile (for esbuild's analyzer).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MSKEvent } from 'aws-lambda';
import { build, type Metafile } from 'esbuild';
import { JOB_PACK_KIND } from '../functions/queues/job-pack';
import { functionBuildOptions } from '../infra/bundling';
import { gitCodeVersion } from '../shared/code-version';
import { type BenchBatch, BROKEN, type BrokenReason, benchBatch } from './support/batch';
import type * as PowertoolsBaseline from './support/powertools-baseline';
import type * as RouterEntry from './support/router-entry';

const TARGETS = { vsFloor: 0.6, vsPowertools: 2.5, routerBundleBytes: 505_000, bundleVsBare: 1.1 };

/** The value after `--name` on the command line, if given. */
function optionValue(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function positiveInt(name: string, fallback: number): number {
  const raw = optionValue(name) ?? process.env[`BENCH_${name.toUpperCase().replaceAll('-', '_')}`];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer`);
  return value;
}

const RECORDS = positiveInt('records', 10_000);
const ROUNDS = positiveInt('rounds', 7);
const COLD_RUNS = positiveInt('cold-runs', 9);
const WARM_UP_ROUNDS = 2;
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);

/** The production environment: router defaults, INFO logs, metrics on, no local overrides. */
function productionEnv(): void {
  for (const name of Object.keys(process.env)) {
    const tuning = name.startsWith('SLUICE_') && name !== 'SLUICE_CODE_VERSION';
    if (tuning || ['AWS_LAMBDA_LOG_LEVEL', 'LOG_LEVEL', 'POWERTOOLS_DEV'].includes(name)) {
      delete process.env[name];
    }
  }
  Object.assign(process.env, {
    SLUICE_STAGE: 'bench',
    SLUICE_QUEUE_URL_BASE: 'https://sqs.eu-west-1.amazonaws.com/123456789012/',
    SLUICE_CLAIM_CHECK_BUCKET: 'sluice-bench-claim-check',
    // Powertools 2.36 Logger reads POWERTOOLS_LOG_LEVEL, then its alias LOG_LEVEL; an ALC
    // level (AWS_LAMBDA_LOG_LEVEL) would override both, so it is removed above.
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_SERVICE_NAME: 'sluice-router',
    POWERTOOLS_METRICS_NAMESPACE: 'Sluice',
    POWERTOOLS_METRICS_DISABLED: 'false',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
  });
}

/** Bundles an entry with the deployed functions' esbuild options and plugins. */
async function bundle(
  entry: string,
  outfile: string,
  external: string[] = [],
): Promise<{ file: string; metafile: Metafile }> {
  const options = functionBuildOptions(join(ROOT, entry), outfile, gitCodeVersion(ROOT));
  const result = await build({
    ...options,
    external: [...(options.external ?? []), ...external],
    metafile: true,
    logLevel: 'error',
  });
  return { file: outfile, metafile: result.metafile };
}

/** Output bytes per package (or per source folder outside node_modules), largest first. */
function bytesByPackage(metafile: Metafile): Array<[string, number]> {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const name = match?.[1] ?? path.split('/').slice(0, 2).join('/');
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
}

/** Output bytes per package: the router's minus the bare handler's, largest first. */
function bytesOverBare(router: Metafile, bare: Metafile): Array<[string, number]> {
  const bareBytes = new Map(bytesByPackage(bare));
  return bytesByPackage(router)
    .map(([name, bytes]): [string, number] => [name, bytes - (bareBytes.get(name) ?? 0)])
    .sort((a, b) => b[1] - a[1]);
}

/**
 * Milliseconds a fresh `node` process takes to require a bundle, its module scope included
 * (the router builds its clients, logger and metrics there; schemas compile on first use).
 * Measured inside the process, so Node's own start-up, the same for both, is not counted.
 * The bundle reads the environment set by {@link productionEnv}.
 */
function coldImportMs(file: string): number {
  // The time goes on a line of its own, after anything the module scope printed.
  const script =
    "const t = performance.now(); require(process.argv[1]); console.log('\\n' + (performance.now() - t));";
  const run = spawnSync(process.execPath, ['-e', script, file], { encoding: 'utf8' });
  const ms = Number(run.stdout.trim().split('\n').at(-1));
  if (run.status !== 0 || !Number.isFinite(ms)) {
    throw new Error(`cold import of ${file} failed (${run.status}): ${run.stderr.slice(-1_000)}`);
  }
  return ms;
}

/** Median cold import times of two bundles, alternating which goes first. */
function coldImports(files: { router: string; bare: string }): { router: number; bare: number } {
  const times = { router: [] as number[], bare: [] as number[] };
  for (let run = 0; run < COLD_RUNS; run++) {
    const order = run % 2 === 0 ? (['router', 'bare'] as const) : (['bare', 'router'] as const);
    for (const name of order) times[name].push(coldImportMs(files[name]));
  }
  return { router: median(times.router), bare: median(times.bare) };
}

/**
 * The floor: decode every key, value and header, JSON.parse the value and stringify one job
 * with the router's provenance fields. Nothing else: no validation, ids, routing or sending.
 */
function floor(event: MSKEvent): number {
  let bytes = 0;
  for (const records of Object.values(event.records)) {
    for (const r of records) {
      const key = r.key === undefined ? null : Buffer.from(r.key, 'base64').toString('utf8');
      const headers: Record<string, string> = {};
      for (const header of r.headers) {
        for (const name in header) headers[name] = Buffer.from(header[name] ?? []).toString('utf8');
      }
      let event: unknown;
      try {
        event = JSON.parse(Buffer.from(r.value, 'base64').toString('utf8'));
      } catch {
        continue;
      }
      const { topic, partition, offset, timestamp } = r;
      const provenance = { topic, partition, offset, timestamp, key };
      const jobId = `${topic}-${partition}-${offset}`;
      bytes += JSON.stringify({ jobId, job: 'audit', event, provenance }).length;
      bytes += Object.keys(headers).length;
    }
  }
  return bytes;
}

type RouterBundle = typeof RouterEntry;
type PowertoolsBundle = typeof PowertoolsBaseline;

/** Untimed: the router sent every expected job and dead letter, nothing more. */
async function checkRouter(router: RouterBundle, batch: BenchBatch): Promise<void> {
  const { captured } = router;
  Object.assign(captured, { calls: 0, entries: 0, s3Calls: 0, detail: true, details: [] });
  const response = await router.handler(batch.event);
  captured.detail = false;
  const problems: string[] = [];
  if (response !== undefined) problems.push(`handler returned ${JSON.stringify(response)}`);
  if (captured.s3Calls > 0) problems.push(`${captured.s3Calls} unexpected S3 calls`);

  const jobs = new Map<string, number>();
  const deadLetters = new Map<string, number>();
  const errorClasses = new Set<string>();
  let packs = 0;
  let jobsInPacks = 0;
  for (const entry of captured.details) {
    const body = JSON.parse(entry.body) as {
      kind?: string;
      reason?: string;
      error?: { class?: string; path?: string };
      jobs?: Array<{ kind?: string }>;
    };
    if (entry.queueUrl.endsWith('-ingest-dlq') && body.kind === 'sluice.dead-letter') {
      const reason = body.reason as BrokenReason;
      deadLetters.set(reason, (deadLetters.get(reason) ?? 0) + 1);
      errorClasses.add(body.error?.class ?? '');
      if (body.error?.path !== BROKEN[reason]) {
        problems.push(
          `${reason} dead letter has path ${body.error?.path}, expected ${BROKEN[reason]}`,
        );
      }
    } else if (body.kind === 'sluice.job' && entry.job !== undefined) {
      jobs.set(entry.job, (jobs.get(entry.job) ?? 0) + 1);
    } else if (
      body.kind === JOB_PACK_KIND &&
      entry.job !== undefined &&
      body.jobs?.every((job) => job.kind === 'sluice.job')
    ) {
      // A pack (jobsPerMessage): its jobs, each as a message of its own would count.
      jobs.set(entry.job, (jobs.get(entry.job) ?? 0) + body.jobs.length);
      packs++;
      jobsInPacks += body.jobs.length;
    } else {
      problems.push(`unexpected message on ${entry.queueUrl}: ${entry.body.slice(0, 120)}`);
    }
  }
  for (const [job, expected] of batch.jobs) {
    if (jobs.get(job) !== expected)
      problems.push(`${jobs.get(job) ?? 0} ${job} jobs, expected ${expected}`);
  }
  for (const [reason, expected] of Object.entries(batch.deadLetters)) {
    const got = deadLetters.get(reason) ?? 0;
    if (got !== expected) problems.push(`${got} ${reason} dead letters, expected ${expected}`);
  }
  // A pack is one entry for all its jobs.
  const expectedEntries =
    [...batch.jobs.values()].reduce((a, b) => a + b, 0) -
    jobsInPacks +
    packs +
    Object.values(batch.deadLetters).reduce((a, b) => a + b, 0);
  if (captured.entries !== expectedEntries) {
    problems.push(`${captured.entries} SendMessageBatch entries, expected ${expectedEntries}`);
  }
  if (problems.length > 0) throw new Error(`router output is wrong:\n  ${problems.join('\n  ')}`);
  log(
    `check: router sent ${captured.entries} entries in ${captured.calls} SendMessageBatch calls (${[...jobs].map(([j, n]) => `${j} ${n}`).join(', ')}; dead letters ${[...deadLetters].map(([r, n]) => `${r} ${n}`).join(', ')})`,
  );
  if (!errorClasses.has('RecordRejectedError')) {
    log(`warning: dead letters name the error class ${[...errorClasses].join(', ')}: minified?`);
  }
}

/** Untimed: the baseline rejected exactly the records Zod can see are invalid. */
async function checkPowertools(powertools: PowertoolsBundle, batch: BenchBatch): Promise<void> {
  Object.assign(powertools.counts, { valid: 0, invalid: 0 });
  await powertools.handler(batch.event, {});
  const { valid, invalid } = powertools.counts;
  if (invalid !== batch.zodRejects || valid + invalid !== batch.records) {
    throw new Error(
      `powertools baseline: ${valid} valid, ${invalid} invalid, expected ${batch.zodRejects} invalid of ${batch.records}`,
    );
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function main(): Promise<void> {
  productionEnv();
  const outdir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  try {
    const real = await bundle('functions/router/handler.ts', join(outdir, 'handler.js'));
    const routerBundleBytes = statSync(real.file).size;
    const bare = await bundle('bench/support/bare-sqs-handler.ts', join(outdir, 'bare.js'));
    const bareBundleBytes = statSync(bare.file).size;
    const metafileOut = optionValue('metafile');
    if (metafileOut) writeFileSync(metafileOut, JSON.stringify(real.metafile));
    const require = createRequire(import.meta.url);
    const router = require(
      (await bundle('bench/support/router-entry.ts', join(outdir, 'router.js'))).file,
    ) as RouterBundle;
    // Avro and Protobuf decoders are optional peers, imported only for those schema types.
    const powertools = require(
      (
        await bundle('bench/support/powertools-baseline.ts', join(outdir, 'powertools.js'), [
          'avro-js',
          'protobufjs',
        ])
      ).file,
    ) as PowertoolsBundle;

    const batch = benchBatch(RECORDS);
    const invalid = Object.values(batch.deadLetters).reduce((a, b) => a + b, 0);
    log(
      `bench:router — ${RECORDS} records (${invalid} invalid), ${ROUNDS} rounds after ${WARM_UP_ROUNDS} warm-up`,
    );
    log(`router bundle (functions/router/handler.ts): ${routerBundleBytes} bytes; largest parts:`);
    for (const [name, bytes] of bytesByPackage(real.metafile).slice(0, 8)) {
      log(`  ${String(bytes).padStart(8)}  ${name}`);
    }
    log('what the router has over the bare handler:');
    for (const [name, bytes] of bytesOverBare(real.metafile, bare.metafile).slice(0, 8)) {
      log(`  ${`+${bytes}`.padStart(8)}  ${name}`);
    }
    const cold = coldImports({ router: real.file, bare: bare.file });
    const sizes = {
      bareBundleBytes,
      bundleVsBare: Number((routerBundleBytes / bareBundleBytes).toFixed(3)),
      routerColdImportMs: Number(cold.router.toFixed(1)),
      bareColdImportMs: Number(cold.bare.toFixed(1)),
      coldImportVsBare: Number((cold.router / cold.bare).toFixed(3)),
    };
    log('');
    log(
      `${'bundle'.padEnd(16)}${'bytes'.padStart(12)}${`cold import ms (median of ${COLD_RUNS})`.padStart(34)}`,
    );
    const row = (name: string, bytes: string, ms: string) =>
      log(`${name.padEnd(16)}${bytes.padStart(12)}${ms.padStart(34)}`);
    row('router', routerBundleBytes.toLocaleString('en'), sizes.routerColdImportMs.toFixed(1));
    row('bare SQS', bareBundleBytes.toLocaleString('en'), sizes.bareColdImportMs.toFixed(1));
    row(
      'router / bare',
      `${sizes.bundleVsBare.toFixed(2)}×`,
      `${sizes.coldImportVsBare.toFixed(2)}×`,
    );
    log('');

    // Powertools writes EMF metrics and logs to stdout: stdout is kept for the final line.
    process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
    await checkRouter(router, batch);
    await checkPowertools(powertools, batch);

    const paths: Record<string, () => Promise<unknown>> = {
      router: () => router.handler(batch.event),
      floor: async () => floor(batch.event),
      powertools: () => powertools.handler(batch.event, {}),
    };
    const names = Object.keys(paths);
    const times = new Map<string, number[]>(names.map((name) => [name, []]));
    for (let round = -WARM_UP_ROUNDS; round < ROUNDS; round++) {
      // Alternate the order so no path always runs first or last. No forced GC in between:
      // a full collection shrinks the young generation and made every path ~1.7× slower.
      for (const name of round % 2 === 0 ? names : [...names].reverse()) {
        const started = process.hrtime.bigint();
        await (paths[name] as () => Promise<unknown>)();
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (round >= 0) times.get(name)?.push(ms);
      }
    }
    process.stdout.write = stdoutWrite;

    const ms = (name: string) => median(times.get(name) ?? []);
    const perSecond = (name: string) => RECORDS / (ms(name) / 1000);
    log('');
    log(
      `${'path'.padEnd(12)}${'records/s'.padStart(12)}${`ms per ${RECORDS}`.padStart(16)}${'vs floor'.padStart(10)}${'min..max ms'.padStart(18)}`,
    );
    for (const name of names) {
      const all = times.get(name) ?? [];
      log(
        `${name.padEnd(12)}${Math.round(perSecond(name)).toLocaleString('en').padStart(12)}${ms(name).toFixed(1).padStart(16)}${(perSecond(name) / perSecond('floor')).toFixed(2).padStart(10)}${`${Math.min(...all).toFixed(1)}..${Math.max(...all).toFixed(1)}`.padStart(18)}`,
      );
    }
    const result = {
      recordsPerSecond: Math.round(perSecond('router')),
      vsFloor: Number((perSecond('router') / perSecond('floor')).toFixed(3)),
      vsPowertools: Number((perSecond('router') / perSecond('powertools')).toFixed(3)),
      routerBundleBytes,
      ...sizes,
    };
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    log(
      `targets: vsFloor ${result.vsFloor} ≥ ${TARGETS.vsFloor} ${verdict(result.vsFloor >= TARGETS.vsFloor)}; vsPowertools ${result.vsPowertools} ≥ ${TARGETS.vsPowertools} ${verdict(result.vsPowertools >= TARGETS.vsPowertools)}; routerBundleBytes ${routerBundleBytes} ≤ ${TARGETS.routerBundleBytes} ${verdict(routerBundleBytes <= TARGETS.routerBundleBytes)}; bundleVsBare ${result.bundleVsBare} ≤ ${TARGETS.bundleVsBare} ${verdict(result.bundleVsBare <= TARGETS.bundleVsBare)}`,
    );
    stdoutWrite(`${JSON.stringify(result)}\n`);
  } finally {
    process.stdout.write = stdoutWrite;
    rmSync(outdir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:router failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exitCode = 1;
});
