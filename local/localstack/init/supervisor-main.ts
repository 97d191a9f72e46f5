/**
 * The init program of one execution environment, started by the sluice-process runtime
 * executor (local/localstack/plugin/) with the function's environment in its code folder:
 * listens for LocalStack's `POST /invoke` on 127.0.0.1:$SLUICE_LAMBDA_INIT_PORT and runs the
 * function through a Supervisor. It ends on SIGTERM, and by itself when LocalStack (its
 * parent) is gone, so no function process outlives the LocalStack that started it.
 */
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parseInvokeRequest, postCallback } from './protocol';
import { Supervisor } from './supervisor';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: this program is started by LocalStack`);
  return value;
}

const port = Number(required('SLUICE_LAMBDA_INIT_PORT'));
const supervisor = new Supervisor({
  endpoint: {
    base: required('LOCALSTACK_RUNTIME_ENDPOINT'),
    runtimeId: required('LOCALSTACK_RUNTIME_ID'),
  },
  runtimeScript: fileURLToPath(new URL('./runtime.mjs', import.meta.url)),
  preload: [fileURLToPath(new URL('./localhost-dns.mjs', import.meta.url))],
  taskRoot: process.env.LAMBDA_TASK_ROOT ?? process.cwd(),
  env: process.env,
  timeoutSeconds: Number(process.env.AWS_LAMBDA_FUNCTION_TIMEOUT ?? 3),
  memorySizeMiB: Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? 128),
  functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
  post: postCallback,
  echo: (line) => process.stdout.write(`${line}\n`),
});

function fail(what: string, error: unknown): void {
  process.stderr.write(`[init] ${what}: ${error instanceof Error ? error.stack : String(error)}\n`);
}

const server = createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/invoke') {
    response.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    let invoke: ReturnType<typeof parseInvokeRequest>;
    try {
      invoke = parseInvokeRequest(Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      response.writeHead(400).end(String(error));
      return;
    }
    response.writeHead(202).end();
    supervisor.invoke(invoke).catch((error: unknown) => fail('invocation failed', error));
  });
});

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  server.close();
  await supervisor.stop();
  process.exit(0);
}

process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
// Orphaned (LocalStack was killed): the parent pid changes; end with it.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void shutdown();
}, 1_000).unref();

server.listen(port, '127.0.0.1', () => {
  supervisor.start().catch((error: unknown) => fail('startup report failed', error));
});
