/**
 * The Lambda init program (local/localstack/init/) against a fake LocalStack: the executor
 * protocol (ready, startup error, invoke, logs, response, error), timeouts that replace the
 * handler process, crashes, the function's environment and Lambda-style logs. The real
 * bundled program runs as a child process, as the sluice-process executor runs it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildLambdaInit } from '../../../../local/localstack/init/build';
import { isPortFree } from '../../../../local/services/ports';
import { eventually } from '../../../support/eventually';

interface Callback {
  readonly path: string;
  readonly body: string;
}

/** Records every callback the init program POSTs. */
class FakeLocalStack {
  readonly callbacks: Callback[] = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        this.callbacks.push({
          path: request.url ?? '',
          body: Buffer.concat(chunks).toString('utf8'),
        });
        response.writeHead(202).end();
      });
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/_localstack_lambda/exec1`;
  }

  close(): Promise<void> {
    return new Promise((done) => this.server.close(() => done()));
  }

  /** The callback whose path ends with `suffix`, once it arrived. */
  find(suffix: string): Promise<Callback> {
    return eventually(`a callback to …${suffix}`, () =>
      this.callbacks.find((c) => c.path.endsWith(suffix)),
    );
  }
}

let initScript: string;
const work = mkdtempSync(join(tmpdir(), 'sluice-lambda-init-'));
const running: ChildProcess[] = [];

beforeAll(async () => {
  ({ init: initScript } = await buildLambdaInit(join(work, 'bundle')));
});

afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL');
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

let nextPort = 39_400;
async function freePort(): Promise<number> {
  for (;;) {
    const port = nextPort++;
    if (await isPortFree(port)) return port;
  }
}

/** A function folder with `index.js` (CommonJS, like the CDK's bundles). */
function functionCode(name: string, source: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.js'), source);
  return dir;
}

interface Environment {
  readonly localstack: FakeLocalStack;
  readonly port: number;
  readonly child: ChildProcess;
  invoke(requestId: string, event: unknown): Promise<number>;
}

/** What LocalStack received for an invocation, once it arrives: its response or its error, parsed. */
async function answer<T = unknown>(
  env: Environment,
  requestId: string,
  kind: 'response' | 'error',
): Promise<T> {
  return JSON.parse((await env.localstack.find(`/invocations/${requestId}/${kind}`)).body) as T;
}

async function startEnvironment(
  code: string,
  options: { timeoutSeconds?: number; env?: Record<string, string> } = {},
): Promise<Environment> {
  const localstack = new FakeLocalStack();
  const base = await localstack.listen();
  const port = await freePort();
  const child = spawn(process.execPath, [initScript], {
    cwd: code,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      LOCALSTACK_RUNTIME_ENDPOINT: base,
      LOCALSTACK_RUNTIME_ID: 'env1',
      SLUICE_LAMBDA_INIT_PORT: String(port),
      LAMBDA_TASK_ROOT: code,
      _HANDLER: 'index.handler',
      AWS_LAMBDA_FUNCTION_NAME: 'sluice-test-fn',
      AWS_LAMBDA_FUNCTION_TIMEOUT: String(options.timeoutSeconds ?? 3),
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      ...options.env,
    },
  });
  running.push(child);
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    localstack,
    port,
    child,
    async invoke(requestId, event) {
      const response = await fetch(`http://127.0.0.1:${port}/invoke`, {
        method: 'POST',
        body: JSON.stringify({
          'invoke-id': requestId,
          'invoked-function-arn': 'arn:aws:lambda:us-east-1:000000000000:function:sluice-test-fn',
          payload: JSON.stringify(event),
          'trace-id': 'Root=1-00000000-000000000000000000000000',
        }),
      });
      return response.status;
    },
  };
}

const logsOf = async (env: Environment, requestId: string): Promise<string> =>
  (
    JSON.parse((await env.localstack.find(`/invocations/${requestId}/logs`)).body) as {
      logs: string;
    }
  ).logs;

describe('the Lambda init program', () => {
  it('reports ready, runs an invocation and posts Lambda-style logs, then the response', async () => {
    const code = functionCode(
      'echo',
      `exports.handler = async (event, context) => {
         console.log('got', JSON.stringify(event));
         console.error('careful');
         process.stdout.write('{"level":"INFO","message":"raw json line"}\\n');
         return { echo: event, name: context.functionName, left: context.getRemainingTimeInMillis(),
                  variable: process.env.MY_SETTING, requestId: context.awsRequestId };
       };`,
    );
    const env = await startEnvironment(code, { env: { MY_SETTING: 'from the function' } });
    await env.localstack.find('/status/env1/ready');
    expect(await env.invoke('req-1', { a: 1 })).toBe(202);
    const response = await env.localstack.find('/invocations/req-1/response');
    const body = JSON.parse(response.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      echo: { a: 1 },
      name: 'sluice-test-fn',
      variable: 'from the function',
      requestId: 'req-1',
    });
    expect(body.left).toBeGreaterThan(2_000);
    expect(body.left).toBeLessThanOrEqual(3_000);
    const logs = await logsOf(env, 'req-1');
    const lines = logs.split('\n');
    expect(lines[0]).toBe('START RequestId: req-1 Version: $LATEST');
    expect(logs).toMatch(/\treq-1\tINFO\tgot \{"a":1\}/);
    expect(logs).toMatch(/\treq-1\tERROR\tcareful/);
    expect(logs).toContain('{"level":"INFO","message":"raw json line"}');
    expect(lines.at(-2)).toBe('END RequestId: req-1');
    expect(lines.at(-1)).toMatch(
      /^REPORT RequestId: req-1\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 256 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms$/,
    );
    // The logs arrive before the response, as LocalStack needs them for the invocation.
    const order = env.localstack.callbacks.map((c) => c.path);
    expect(order.indexOf('/_localstack_lambda/exec1/invocations/req-1/logs')).toBeLessThan(
      order.indexOf('/_localstack_lambda/exec1/invocations/req-1/response'),
    );
    // A second (warm) invocation reports no init duration.
    await env.invoke('req-2', { a: 2 });
    await env.localstack.find('/invocations/req-2/response');
    expect(await logsOf(env, 'req-2')).not.toContain('Init Duration');
    await env.localstack.close();
  });

  it('posts a thrown error as the invocation error, with Lambda’s error document', async () => {
    const code = functionCode(
      'throws',
      `class TransientError extends Error { name = 'TransientError'; }
       exports.handler = async () => { throw new TransientError('SQS throttled'); };`,
    );
    const env = await startEnvironment(code);
    await env.localstack.find('/status/env1/ready');
    await env.invoke('req-e', {});
    const error = await answer<{ errorType: string; errorMessage: string; stackTrace: string[] }>(
      env,
      'req-e',
      'error',
    );
    expect(error.errorType).toBe('TransientError');
    expect(error.errorMessage).toBe('SQS throttled');
    expect(error.stackTrace.length).toBeGreaterThan(0);
    expect(await logsOf(env, 'req-e')).toMatch(
      /\treq-e\tERROR\tInvoke Error \t\{"errorType":"TransientError"/,
    );
    await env.localstack.close();
  });

  it('resolves host names under localhost to the loopback address, as LocalStack’s DNS does', async () => {
    const code = functionCode(
      'dns',
      `const dns = require('node:dns');
       exports.handler = async () => ({
         queue: (await dns.promises.lookup('sqs.us-east-1.localhost')).address,
         all: (await dns.promises.lookup('x.localhost', { all: true })).map((a) => a.address),
       });`,
    );
    const env = await startEnvironment(code);
    await env.localstack.find('/status/env1/ready');
    await env.invoke('req-dns', {});
    expect(await answer(env, 'req-dns', 'response')).toEqual({
      queue: '127.0.0.1',
      all: ['127.0.0.1'],
    });
    await env.localstack.close();
  });

  it('supports callback-style handlers', async () => {
    const code = functionCode(
      'callback',
      'exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { late: true }), 10); };',
    );
    const env = await startEnvironment(code);
    await env.localstack.find('/status/env1/ready');
    await env.invoke('req-c', {});
    expect(await answer(env, 'req-c', 'response')).toEqual({
      late: true,
    });
    await env.localstack.close();
  });

  it('reports a timeout as Sandbox.Timedout and replaces the handler process', async () => {
    const code = functionCode(
      'slow',
      `let invocations = 0;
       exports.handler = async (event) => {
         invocations += 1;
         if (event.sleep) await new Promise((r) => setTimeout(r, 60_000));
         return { invocations, pid: process.pid };
       };`,
    );
    const env = await startEnvironment(code, { timeoutSeconds: 1 });
    await env.localstack.find('/status/env1/ready');
    await env.invoke('req-a', {});
    const before = await answer<{ invocations: number; pid: number }>(env, 'req-a', 'response');
    const began = Date.now();
    await env.invoke('req-slow', { sleep: true });
    const error = await answer<{ errorType: string; errorMessage: string }>(
      env,
      'req-slow',
      'error',
    );
    expect(Date.now() - began).toBeLessThan(3_000);
    expect(error.errorType).toBe('Sandbox.Timedout');
    expect(error.errorMessage).toMatch(/req-slow Task timed out after 1\.00 seconds$/);
    const logs = await logsOf(env, 'req-slow');
    expect(logs).toMatch(/req-slow Task timed out after 1\.00 seconds\nEND RequestId: req-slow\n/);
    expect(logs).toMatch(/\tStatus: timeout$/);
    // The killed process is gone; the next invocation runs in a fresh one (module state reset).
    expect(() => process.kill(before.pid, 0)).toThrow();
    await env.invoke('req-b', {});
    const after = await answer<{ invocations: number; pid: number }>(env, 'req-b', 'response');
    expect(after.invocations).toBe(1);
    expect(after.pid).not.toBe(before.pid);
    await env.localstack.close();
  });

  it('reports a handler process that exits mid-invocation as Runtime.ExitError and recovers', async () => {
    const code = functionCode(
      'exits',
      'exports.handler = async (event) => { if (event.exit) process.exit(3); return "fine"; };',
    );
    const env = await startEnvironment(code);
    await env.localstack.find('/status/env1/ready');
    await env.invoke('req-x', { exit: true });
    const error = await answer<{ errorType: string; errorMessage: string }>(env, 'req-x', 'error');
    expect(error).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: 'RequestId: req-x Error: Runtime exited with error: exit status 3',
    });
    await env.invoke('req-y', {});
    expect((await env.localstack.find('/invocations/req-y/response')).body).toBe('"fine"');
    await env.localstack.close();
  });

  it('reports a module that cannot be loaded as a startup error', async () => {
    const code = functionCode('broken', 'throw new Error("missing configuration");');
    const env = await startEnvironment(code);
    const error = JSON.parse((await env.localstack.find('/status/env1/error')).body) as {
      errorType: string;
      errorMessage: string;
    };
    expect(error.errorType).toBe('Runtime.ImportModuleError');
    expect(error.errorMessage).toContain('missing configuration');
    await env.localstack.close();
  });

  it('reports a missing handler export as Runtime.HandlerNotFound', async () => {
    const code = functionCode('noexport', 'exports.other = async () => 1;');
    const env = await startEnvironment(code);
    const error = JSON.parse((await env.localstack.find('/status/env1/error')).body) as {
      errorType: string;
    };
    expect(error.errorType).toBe('Runtime.HandlerNotFound');
    await env.localstack.close();
  });

  it('ends its handler process when it is stopped', async () => {
    const code = functionCode('pid', 'exports.handler = async () => process.pid;');
    const env = await startEnvironment(code);
    await env.localstack.find('/status/env1/ready');
    await env.invoke('req-p', {});
    const pid = Number((await env.localstack.find('/invocations/req-p/response')).body);
    const exited = new Promise((done) => env.child.once('exit', done));
    env.child.kill('SIGTERM');
    await exited;
    await eventually('the handler process to end', () => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    });
    await env.localstack.close();
  });
});
