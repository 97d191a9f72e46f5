/**
 * Finds and loads a function's handler from `_HANDLER` (`<module path>.<export>`, e.g.
 * `index.handler`) under the task root, as Lambda's Node.js runtime does: the module is the
 * part before the first dot of the last path segment, tried as `.js`, `.mjs` and `.cjs`; the
 * rest names the export, nested with dots.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** A handler as Lambda calls it; callback-style handlers take a third argument. */
export type LambdaHandler = (event: unknown, context: unknown, callback?: unknown) => unknown;

/** Why a handler could not be loaded, with the errorType Lambda gives it. */
export class HandlerLoadError extends Error {
  override readonly name = 'HandlerLoadError';
  constructor(
    readonly errorType:
      | 'Runtime.ImportModuleError'
      | 'Runtime.HandlerNotFound'
      | 'Runtime.MalformedHandlerName',
    message: string,
  ) {
    super(message);
  }
}

/** The module path and the export path of a handler string. */
export function splitHandler(handler: string): { modulePath: string; exportPath: string[] } {
  const slash = handler.lastIndexOf('/');
  const dot = handler.indexOf('.', slash + 1);
  if (dot <= slash + 1 || dot === handler.length - 1) {
    throw new HandlerLoadError('Runtime.MalformedHandlerName', `Bad handler ${handler}`);
  }
  return { modulePath: handler.slice(0, dot), exportPath: handler.slice(dot + 1).split('.') };
}

async function importModule(file: string): Promise<unknown> {
  if (!file.endsWith('.mjs')) {
    try {
      return createRequire(file)(file);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ERR_REQUIRE_ESM') throw error;
    }
  }
  return import(pathToFileURL(file).href);
}

function lookup(module: unknown, path: readonly string[]): unknown {
  let value: unknown = module;
  for (const key of path) {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * @example
 * ```ts
 * const handler = await loadHandler('/path/to/code', 'index.handler');
 * await handler({ hello: 'world' }, context);
 * ```
 */
export async function loadHandler(taskRoot: string, handler: string): Promise<LambdaHandler> {
  const { modulePath, exportPath } = splitHandler(handler);
  const file = ['.js', '.mjs', '.cjs']
    .map((extension) => join(taskRoot, `${modulePath}${extension}`))
    .find((candidate) => existsSync(candidate));
  if (file === undefined) {
    throw new HandlerLoadError(
      'Runtime.ImportModuleError',
      `Error: Cannot find module '${modulePath}'`,
    );
  }
  let module: unknown;
  try {
    module = await importModule(file);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new HandlerLoadError('Runtime.ImportModuleError', message);
  }
  const found =
    lookup(module, exportPath) ??
    lookup((module as { default?: unknown } | undefined)?.default, exportPath);
  if (typeof found !== 'function') {
    throw new HandlerLoadError(
      'Runtime.HandlerNotFound',
      `${modulePath}.${exportPath.join('.')} is undefined or not exported`,
    );
  }
  return found as LambdaHandler;
}
