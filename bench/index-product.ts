/**
 * `npm run bench:index [-- --docs N --batch B --rounds R --concurrency C --catalog memory|moto]`
 * (or BENCH_DOCS, BENCH_BATCH, BENCH_ROUNDS, BENCH_CONCURRENCY, BENCH_CATALOG): prebuilt SQS
 * batches of index-product jobs through the production handler until searchable, against
 * raw `_bulk` of the same documents at the same chunk size, with the same query (alias
 * required, responses filtered to each item's status and error), plus `_refresh`; alternating,
 * median of R rounds (default 9) after 3 warm-up rounds — a freshly started OpenSearch is
 * still compiling, and its compiler threads take the CPU the pipeline needs — on the local
 * OpenSearch node (`npm run services -- up`).
 *
 * B is jobs per invocation (default 1,000: about what index-product's batch of 16 packs
 * holds), delivered as the router enqueues them, in packs (`jobsPerMessage`, up to 64 KB a
 * message); the chunk size — jobs per
 * bulk request, on both sides — is the job's `chunkSize` (at most B), not an option, so the
 * raw baseline always sends exactly the pipeline's bulk requests. `--batch 100` gives
 * batches of one chunk each: nothing for the job runtime to overlap.
 *
 * Human output goes to stderr; what the handler itself prints (EMF metrics, logs) is counted
 * and dropped. The last stdout line is JSON: {"docsPerSecond", "vsRawBulk",
 * "bulkRequestsPer1000"}. Targets (reported, not asserted): vsRawBulk ≥ 0.7,
 * bulkRequestsPer1000 ≤ 10.
 */
import { indexProductJob } from '../functions/workers/index-product/job';
import { applyLocalServiceEnv } from '../local/services/endpoints';
import type { BulkTimes } from './support/bulk-probe';
import { median, runIndexBench } from './support/index-runs';

const TARGETS = { vsRawBulk: 0.7, bulkRequestsPer1000: 10 };
const WARM_UP_ROUNDS = 3;

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : process.env[`BENCH_${name.toUpperCase()}`];
}

function positiveInt(name: string, fallback: number): number {
  const raw = option(name);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer`);
  return value;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const catalog = option('catalog') ?? 'memory';
  if (catalog !== 'memory' && catalog !== 'moto')
    throw new Error('--catalog must be memory or moto');
  applyLocalServiceEnv();
  // The handler prints its EMF metrics and logs to stdout, as on Lambda: count, then drop them.
  const stdoutWrite = process.stdout.write.bind(process.stdout);
  const handlerOutput = { lines: 0, bytes: 0 };
  process.stdout.write = ((chunk: string | Uint8Array) => {
    handlerOutput.lines++;
    handlerOutput.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    return true;
  }) as typeof process.stdout.write;
  const docs = positiveInt('docs', 5_000);
  const rounds = positiveInt('rounds', 9);
  const { chunkSize: jobChunkSize } = indexProductJob.settings;
  // Jobs per invocation: the job's batches are of packs (jobsPerMessage), so in jobs they are
  // as many as fill its batchSize of messages — 1,000 as before packs, by default.
  const batchSize = positiveInt('batch', 1_000);
  const concurrency = positiveInt('concurrency', 1);
  const result = await runIndexBench({
    docs,
    batchSize,
    chunkSize: Math.min(batchSize, jobChunkSize ?? batchSize),
    rounds,
    warmUpRounds: WARM_UP_ROUNDS,
    concurrency,
    catalog,
    log,
  }).finally(() => {
    process.stdout.write = stdoutWrite;
  });
  log(
    `the handler printed ${handlerOutput.lines} lines (${(handlerOutput.bytes / 1024).toFixed(0)} KiB), ` +
      `${(handlerOutput.lines / (docs * (rounds + WARM_UP_ROUNDS))).toFixed(2)} per job`,
  );
  const perRound = result.rawMs.map((raw, i) => raw / (result.pipelineMs[i] as number));
  log(
    `per round: ${Math.min(...perRound).toFixed(2)}–${Math.max(...perRound).toFixed(2)} × raw _bulk ` +
      `(the median of rounds is reported; on a small machine OpenSearch and the pipeline share the cores)`,
  );
  const cpu = Math.round(median(result.pipelineCpuMs));
  const rawCpu = Math.round(median(result.rawCpuMs));
  const catalogBusy = Math.round(median(result.catalogBusyMs));
  log(
    `CPU of this process per round (medians): pipeline ${cpu} ms, raw _bulk ${rawCpu} ms; ` +
      `the in-process catalog's thread (DynamoDB's part, on the cores OpenSearch needs) was busy ${catalogBusy} ms of the pipeline's`,
  );
  const ms = (times: readonly BulkTimes[], part: 'outMs' | 'betweenMs') =>
    Math.round(median(times.map((t) => t[part])));
  log(
    `_bulk requests per round (medians): out ${ms(result.pipelineBulk, 'outMs')} ms for the pipeline, ` +
      `${ms(result.rawBulk, 'outMs')} ms raw (written → answer read to its end: the node's work, and the ` +
      `client's delay in reading it); between them ${ms(result.pipelineBulk, 'betweenMs')} ms and ` +
      `${ms(result.rawBulk, 'betweenMs')} ms (the client's work from one answer to its next request)` +
      (concurrency > 1 ? `; with ${concurrency} requests in flight these overlap` : ''),
  );
  const verdict = (ok: boolean) => (ok ? 'meets target' : 'BELOW TARGET');
  log(
    `pipeline ${result.docsPerSecond} docs/s; ${result.vsRawBulk} × raw _bulk (${verdict(result.vsRawBulk >= TARGETS.vsRawBulk)} ≥ ${TARGETS.vsRawBulk}); ` +
      `${result.bulkRequestsPer1000} bulk requests per 1000 documents (${verdict(result.bulkRequestsPer1000 <= TARGETS.bulkRequestsPer1000)} ≤ ${TARGETS.bulkRequestsPer1000})`,
  );
  const { docsPerSecond, vsRawBulk, bulkRequestsPer1000 } = result;
  process.stdout.write(`${JSON.stringify({ docsPerSecond, vsRawBulk, bulkRequestsPer1000 })}\n`);
}

main().catch((error: unknown) => {
  log(
    `bench:index failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exitCode = 1;
});
