/**
 * Writes suspicions into the security index (an alias in front of a versioned index).
 * Create-only with the suspicion id as document id: a second write of the same suspicion
 * answers 409, which means "already there" and counts as success. `require_alias` makes a
 * write before the alias exists fail instead of auto-creating a concrete index under the
 * alias's name, which would block the real alias.
 */
import { type Client, errors } from '@opensearch-project/opensearch';
import { PermanentError, TransientError } from '../../shared/errors';
import { errorForHttpStatus } from '../../shared/throttling';
import type { Suspicion } from './suspicions';

/** Whether this call created the document or found it there. */
export type IndexResult = 'created' | 'existing';

function retryAfterSeconds(
  headers: Record<string, unknown> | null | undefined,
): number | undefined {
  const raw = headers?.['retry-after'];
  const seconds = typeof raw === 'string' ? Number(raw) : Number.NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/**
 * The Sluice error for an OpenSearch client failure: by HTTP status for responses (429 →
 * ThrottledError, 5xx → TransientError, other 4xx → PermanentError), transient for
 * connection problems and timeouts, permanent for bodies that cannot be serialised.
 */
export function classifyOpenSearchError(error: unknown, context: string): Error {
  if (error instanceof errors.ResponseError) {
    const type = (error.body as { error?: { type?: unknown } } | undefined)?.error?.type;
    return errorForHttpStatus(error.statusCode ?? 500, `${context} (${String(type)})`, {
      cause: error,
      retryAfterSeconds: retryAfterSeconds(error.meta?.headers),
    });
  }
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (error instanceof errors.SerializationError || error instanceof errors.ConfigurationError) {
    return new PermanentError(`${context}: ${detail}`, { cause: error });
  }
  return new TransientError(`${context}: ${detail}`, { cause: error });
}

/**
 * Indexes a suspicion once. 409 (document exists) is success.
 *
 * @example
 * ```ts
 * await indexSuspicion(client, 'sluice-prod-security', suspicion); // 'created' | 'existing'
 * ```
 */
export async function indexSuspicion(
  client: Client,
  index: string,
  suspicion: Suspicion,
): Promise<IndexResult> {
  try {
    await client.index({
      index,
      id: suspicion.suspicionId,
      op_type: 'create',
      require_alias: true,
      body: { ...suspicion },
    });
    return 'created';
  } catch (error) {
    if (error instanceof errors.ResponseError && error.statusCode === 409) return 'existing';
    throw classifyOpenSearchError(error, `index suspicion ${suspicion.suspicionId} into ${index}`);
  }
}
