/**
 * Messages between the init program (the supervisor LocalStack talks to) and its handler
 * process, over the Node.js IPC channel of `child_process.fork`.
 */
import type { ErrorDocument } from './protocol';

/** Supervisor → handler process: run one invocation. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly requestId: string;
  readonly invokedFunctionArn: string;
  /** The event as JSON text. */
  readonly payload: string;
  readonly traceId: string | undefined;
  /** Epoch milliseconds at which the invocation times out. */
  readonly deadlineMs: number;
}

/** Handler process → supervisor. */
export type RuntimeMessage =
  /** The handler module loaded (Lambda's init phase ended). */
  | { readonly type: 'ready' }
  /** The handler module could not be loaded: every invocation fails with this. */
  | { readonly type: 'init-error'; readonly error: ErrorDocument }
  /** One invocation ended; `body` is the JSON response, `error` the error document. */
  | {
      readonly type: 'result';
      readonly requestId: string;
      readonly body?: string;
      readonly error?: ErrorDocument;
      /** Peak resident memory of the handler process, in KiB. */
      readonly maxRssKiB: number;
    };

/**
 * Written by the handler process to stdout and stderr after each invocation, before its
 * result: the supervisor waits for both so that every line the handler wrote is in that
 * invocation's logs (the pipes and the IPC channel are read independently).
 */
export const END_MARKER = '\u001eSLUICE-INVOCATION-END';

/** The marker line for one request. */
export function endMarker(requestId: string): string {
  return `${END_MARKER} ${requestId}`;
}

/** Narrows an IPC message from the handler process. */
export function isRuntimeMessage(value: unknown): value is RuntimeMessage {
  if (typeof value !== 'object' || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === 'ready' || type === 'init-error' || type === 'result';
}

/** Narrows an IPC message from the supervisor. */
export function isInvokeMessage(value: unknown): value is InvokeMessage {
  return (
    typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'invoke'
  );
}
