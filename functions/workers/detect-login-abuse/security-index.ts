/**
 * Writes suspicions into the security index (an alias in front of a versioned index).
 * Create-only with the suspicion id as document id: a second write of the same suspicion
 * answers 409, which means "already there" and counts as success. `require_alias` makes a
 * write before the alias exists fail instead of auto-creating a concrete index under the
 * alias's name, which would block the real alias.
 */
import { type Client, errors } from '@opensearch-project/opensearch';
import { classifyOpenSearchError } from '../../targets/opensearch/errors';
import type { Suspicion } from './suspicions';

/** Whether this call created the document or found it there. */
export type IndexResult = 'created' | 'existing';

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
