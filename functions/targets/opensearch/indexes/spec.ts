/**
 * What an index is, as code: its mappings and settings, and the version of its concrete
 * index. Physical names come from the stage: the alias `sluice-<stage>-<name>` is what
 * everything reads and writes; behind it is `sluice-<stage>-<name>-v<version>`, and an index
 * template (`sluice-<stage>-<name>`, pattern `sluice-<stage>-<name>-v*`) gives every version
 * the same mappings.
 */
import type { Types } from '@opensearch-project/opensearch';
import { resourceName } from '../../../topology/naming';
import { INDEXES, type IndexKey } from '../../../topology/topology';

export type IndexMappings = Types.Common_Mapping.TypeMapping;
export type IndexSettings = Types.Indices_Common.IndexSettings;

export interface IndexSpec {
  readonly key: IndexKey;
  /**
   * The concrete index version. Bump it for a change existing documents cannot take (a field
   * changing type, a new analyzer): setup then builds `-v<version>` from the old index and
   * moves the alias. A new field alone needs no bump (setup adds it to the mapping).
   */
  readonly version: number;
  /** Settings besides shards and replicas, which are the deployment's. */
  readonly settings: IndexSettings;
  readonly mappings: IndexMappings;
}

/**
 * The alias of an index in a stage: the only name clients use.
 *
 * @example
 * ```ts
 * aliasName('dev', 'products'); // 'sluice-dev-products'
 * ```
 */
export function aliasName(stage: string, key: IndexKey): string {
  return resourceName(stage, INDEXES[key]);
}

/**
 * The concrete index of an index version.
 *
 * @example
 * ```ts
 * concreteIndexName('dev', 'products', 2); // 'sluice-dev-products-v2'
 * ```
 */
export function concreteIndexName(stage: string, key: IndexKey, version: number): string {
  return `${aliasName(stage, key)}-v${version}`;
}

/** The version of a concrete index name of this alias, or undefined if it is not one. */
export function versionOfIndex(alias: string, index: string): number | undefined {
  const prefix = `${alias}-v`;
  if (!index.startsWith(prefix)) return undefined;
  const rest = index.slice(prefix.length);
  return /^[1-9][0-9]{0,5}$/.test(rest) ? Number(rest) : undefined;
}

/** Analysis settings with a `folded` keyword normalizer: lower case, accents folded. */
export const FOLDED_NORMALIZER: IndexSettings = {
  analysis: {
    normalizer: { folded: { type: 'custom', filter: ['lowercase', 'asciifolding'] } },
  },
};
