/**
 * The handler process of one execution environment, forked by the init program
 * (supervisor-main.ts): loads the handler (Lambda's init phase), then runs the invocations it
 * is sent, one at a time, and answers each with its response or error document. It exits when
 * the supervisor goes away.
 */

import { captureConsole } from './console-capture';
import { errorDocument } from './error-document';
import { type LambdaHandler, loadHandler } from './handler-loader';
import {
  endMarker,
  type InvokeMessage,
  isInvokeMessage,
  type RuntimeMessage,
} from './ipc-messages';
import { lambdaContext } from './lambda-context';
import { consoleLine } from './log-format';

let currentRequestId: string | undefined;
captureConsole(() => currentRequestId);

function send(message: RuntimeMessage): void {
  process.send?.(message);
}

/** Runs an async or a callback-style handler to its result. */
function runHandler(handler: LambdaHandler, event: unknown, context: unknown): Promise<unknown> {
  if (handler.length >= 3) {
    return new Promise((resolve, reject) => {
      const callback = (error: unknown, result: unknown) =>
        error ? reject(error) : resolve(result);
      const returned = handler(event, context, callback);
      if (returned instanceof Promise) returned.then(resolve, reject);
    });
  }
  return Promise.resolve().then(() => handler(event, context));
}

function finish(
  requestId: string,
  outcome: { body?: string; error?: ReturnType<typeof errorDocument> },
) {
  const marker = `${endMarker(requestId)}\n`;
  process.stdout.write(marker);
  process.stderr.write(marker);
  send({ type: 'result', requestId, ...outcome, maxRssKiB: process.resourceUsage().maxRSS });
  currentRequestId = undefined;
}

async function invoke(handler: LambdaHandler, message: InvokeMessage): Promise<void> {
  currentRequestId = message.requestId;
  const context = lambdaContext(message, process.env);
  try {
    const event: unknown = JSON.parse(message.payload);
    const result = await runHandler(handler, event, context);
    finish(message.requestId, { body: JSON.stringify(result ?? null) });
  } catch (error) {
    const document = errorDocument(error);
    process.stderr.write(
      `${consoleLine('ERROR', message.requestId, `Invoke Error \t${JSON.stringify(document)}`)}\n`,
    );
    finish(message.requestId, { error: document });
  }
}

async function main(): Promise<void> {
  process.on('disconnect', () => process.exit(0));
  // An error nobody awaited ends the process, as in Lambda; the supervisor reports it.
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(
      `${consoleLine('ERROR', currentRequestId, `Unhandled Promise Rejection \t${JSON.stringify(errorDocument(reason))}`)}\n`,
    );
    process.exit(128);
  });
  let handler: LambdaHandler;
  try {
    handler = await loadHandler(
      process.env.LAMBDA_TASK_ROOT ?? process.cwd(),
      process.env._HANDLER ?? '',
    );
  } catch (error) {
    const document = errorDocument(error, 'Runtime.ImportModuleError');
    process.stderr.write(
      `${consoleLine('ERROR', undefined, `Init Error \t${JSON.stringify(document)}`)}\n`,
    );
    send({ type: 'init-error', error: document });
    return;
  }
  process.on('message', (message: unknown) => {
    if (isInvokeMessage(message)) void invoke(handler, message);
  });
  send({ type: 'ready' });
}

void main();
