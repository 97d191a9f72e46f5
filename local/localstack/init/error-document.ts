/**
 * Errors as Lambda's Node.js runtime reports them: `errorType` (the error's name),
 * `errorMessage`, and the stack as lines.
 */
import type { ErrorDocument } from './protocol';

/**
 * @example
 * ```ts
 * errorDocument(new TypeError('nope')); // { errorType: 'TypeError', errorMessage: 'nope', stackTrace: [...] }
 * errorDocument('plain', 'Runtime.ImportModuleError'); // { errorType: 'Runtime.ImportModuleError', errorMessage: 'plain' }
 * ```
 */
export function errorDocument(error: unknown, fallbackType = 'Error'): ErrorDocument {
  if (error instanceof Error) {
    // Errors that carry Lambda's type (e.g. Runtime.ImportModuleError) keep it.
    const typed = (error as { errorType?: unknown }).errorType;
    const stack = (error.stack ?? '').split('\n').slice(1);
    return {
      errorType: typeof typed === 'string' ? typed : error.name || fallbackType,
      errorMessage: error.message,
      stackTrace: stack.map((line) => line.trim()),
    };
  }
  return { errorType: fallbackType, errorMessage: String(error) };
}
