/**
 * Idempotent index setup from the index specs, the one function behind local provisioning,
 * tests, the CloudFormation custom resource and the reindex path. Per index:
 *
 * - the index template `sluice-<stage>-<name>` (pattern `…-v*`) is put, so every version of
 *   the index gets the spec's settings and mappings;
 * - no alias yet → `…-v<version>` is created with the alias as its write alias;
 * - the alias is on the spec's version → the mappings are put again (new fields arrive; an
 *   incompatible change fails loudly: bump the spec's version instead), and a reindex or
 *   rollback into it that was interrupted after its alias moved is finished;
 * - the alias is on an older version → the new version is built and the alias moved with
 *   {@link reindexAlias} (unless `reindex` is off);
 * - the alias is on a newer version (older code deployed) or on an index not named by this
 *   scheme → left alone and reported.
 *
 * Nothing is ever deleted here.
 */
import { type Client, errors } from '@opensearch-project/opensearch';
import { INDEX_SPECS } from './indexes/index-specs';
import { aliasName, concreteIndexName, type IndexSpec, versionOfIndex } from './indexes/spec';
import { finishInterruptedReindexes, isAlreadyExists, reindexAlias } from './reindex';

export interface IndexSetupOptions {
  /** Primary shards of new indexes. Default 1: these indexes are small. */
  readonly shards?: number;
  /** Replicas of new indexes; the cluster's default (1) when not given. 0 on one local node. */
  readonly replicas?: number;
  /** Build the spec's version when the alias is on an older one. Default true. */
  readonly reindex?: boolean;
  /** The specs to set up; every index Sluice owns by default. */
  readonly specs?: readonly IndexSpec[];
}

export type IndexSetupAction =
  | 'created'
  | 'updated'
  | 'reindexed'
  /** The alias is on an older version and `reindex` is off. */
  | 'behind'
  /** The alias is on a newer version, or on an index outside the naming scheme. */
  | 'left-alone';

export interface IndexSetupResult {
  readonly key: string;
  readonly alias: string;
  /** The index the alias writes to after setup. */
  readonly index: string;
  readonly action: IndexSetupAction;
}

/**
 * @example
 * ```ts
 * const results = await ensureIndexes(client, 'dev', { replicas: 0 });
 * // [{ key: 'products', alias: 'sluice-dev-products', index: 'sluice-dev-products-v1', action: 'created' }, …]
 * ```
 */
export async function ensureIndexes(
  client: Client,
  stage: string,
  options: IndexSetupOptions = {},
): Promise<IndexSetupResult[]> {
  const specs = options.specs ?? Object.values(INDEX_SPECS);
  return Promise.all(specs.map((spec) => ensureIndex(client, stage, spec, options)));
}

/** {@link ensureIndexes} for one index. */
export async function ensureIndex(
  client: Client,
  stage: string,
  spec: IndexSpec,
  options: IndexSetupOptions = {},
): Promise<IndexSetupResult> {
  const alias = aliasName(stage, spec.key);
  const target = concreteIndexName(stage, spec.key, spec.version);
  const result = (index: string, action: IndexSetupAction): IndexSetupResult => ({
    key: spec.key,
    alias,
    index,
    action,
  });
  await putTemplate(client, alias, spec, options);

  const current = await writeIndexOf(client, alias);
  if (current === undefined) {
    await createWithAlias(client, target, alias);
    return result(target, 'created');
  }
  const version = versionOfIndex(alias, current);
  if (version === spec.version) {
    await client.indices.putMapping({ index: current, body: spec.mappings });
    const finished = await finishInterruptedReindexes(client, alias, current);
    return result(current, finished.length > 0 ? 'reindexed' : 'updated');
  }
  if (version === undefined || version > spec.version) return result(current, 'left-alone');
  if (options.reindex === false) return result(current, 'behind');
  await reindexAlias(client, { alias, from: current, to: target });
  return result(target, 'reindexed');
}

async function putTemplate(
  client: Client,
  alias: string,
  spec: IndexSpec,
  options: IndexSetupOptions,
): Promise<void> {
  await client.indices.putIndexTemplate({
    name: alias,
    body: {
      index_patterns: [`${alias}-v*`],
      // Above any catch-all template someone may have on the cluster.
      priority: 200,
      _meta: { managedBy: 'sluice', specVersion: spec.version },
      template: {
        settings: {
          ...spec.settings,
          number_of_shards: options.shards ?? 1,
          ...(options.replicas === undefined ? {} : { number_of_replicas: options.replicas }),
        },
        mappings: spec.mappings,
      },
    },
  });
}

/** The index an alias writes to (its write index, or its only index), if the alias exists. */
async function writeIndexOf(client: Client, alias: string): Promise<string | undefined> {
  const response = await client.indices.getAlias({ name: alias }, { ignore: [404] });
  if (response.statusCode === 404) return undefined;
  const entries = Object.entries(response.body ?? {});
  const writer = entries.find(([, value]) => value.aliases?.[alias]?.is_write_index === true);
  if (writer) return writer[0];
  if (entries.length === 1) return entries[0]?.[0];
  throw new Error(`Alias ${alias} has ${entries.length} indexes and no write index`);
}

async function createWithAlias(client: Client, index: string, alias: string): Promise<void> {
  try {
    await client.indices.create({
      index,
      body: { aliases: { [alias]: { is_write_index: true } } },
    });
  } catch (error) {
    if (isAlreadyExists(error)) {
      // A setup interrupted between creating the index and naming it, or a concurrent one.
      await client.indices.updateAliases({
        body: { actions: [{ add: { index, alias, is_write_index: true } }] },
      });
      return;
    }
    if (error instanceof errors.ResponseError && isAliasNameTaken(error)) {
      throw new Error(
        `${alias} is a concrete index, not an alias (something wrote to it before setup ran); ` +
          `move its documents and delete it, then run setup again`,
        { cause: error },
      );
    }
    throw error;
  }
}

function isAliasNameTaken(error: errors.ResponseError): boolean {
  const type = (error.body as { error?: { type?: string } } | undefined)?.error?.type;
  return type === 'invalid_alias_name_exception' || type === 'invalid_index_name_exception';
}
