/**
 * Constructs that group part of a stack without renaming what it deploys. CloudFormation
 * logical ids come from construct paths: moving a queue, a function or the domain into a
 * child construct would give it a new logical id, and CloudFormation would replace it (a new
 * named queue or function, a new domain, a second claim-check bucket beside the retained one).
 *
 * A {@link StackPart} is left out of the logical ids of every resource under it, so the
 * resources keep the ids they had as direct children of the stack; only their
 * `aws:cdk:path` metadata shows the part. {@link SluiceStack} does this in
 * `allocateLogicalId`, the hook CDK documents for its own naming scheme, with CDK's own
 * algorithm (`makeUniqueId`) on the path without the parts. `test/infra/logical-ids.test.ts`
 * pins the ids and checks the algorithm against CDK's.
 * Two resources of one id under different parts of a stack would share a logical id: CDK's
 * template merge refuses that, and the synth fails.
 */
import { createHash } from 'node:crypto';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { Provider } from 'aws-cdk-lib/custom-resources';
import { Construct, type IConstruct } from 'constructs';

const parts = new WeakSet<IConstruct>();

/** A stack whose {@link StackPart}s do not enter their resources' logical ids. */
export class SluiceStack extends Stack {
  protected override allocateLogicalId(element: CfnElement): string {
    const scopes = element.node.scopes;
    const below = scopes.slice(scopes.indexOf(element.stack) + 1);
    if (!below.some((scope) => parts.has(scope))) return super.allocateLogicalId(element);
    return makeUniqueId(below.filter((scope) => !parts.has(scope)).map((s) => s.node.id));
  }
}

/**
 * A part of a {@link SluiceStack}: a construct in the tree (its own scope, its own path), but
 * not in the logical ids of the resources under it.
 *
 * @example
 * ```ts
 * class ClaimCheckStore extends StackPart {
 *   constructor(scope: Construct, id: string) {
 *     super(scope, id);
 *     new Bucket(this, 'ClaimCheck'); // logical id ClaimCheck…, as if it were the stack's
 *   }
 * }
 * ```
 */
export class StackPart extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    if (!(Stack.of(this) instanceof SluiceStack)) {
      throw new Error(`${this.node.path}: a StackPart belongs in a SluiceStack`);
    }
    parts.add(this);
  }
}

/**
 * A construct's path as if no {@link StackPart} were on it: `sluice-dev-search/IndexSetupProvider`
 * for `sluice-dev-search/IndexSetupResource/IndexSetupProvider`.
 */
export function pathWithoutParts(construct: IConstruct): string {
  return construct.node.scopes
    .filter((scope) => !parts.has(scope))
    .map((scope) => scope.node.id)
    .filter((id) => id !== '')
    .join('/');
}

/**
 * CDK's Provider framework describes its function by the provider's construct path; this
 * keeps the description of a provider inside a {@link StackPart} as it was without it.
 */
export function keepProviderDescription(provider: Provider): void {
  const framework = provider.node.findChild('framework-onEvent').node.defaultChild as CfnFunction;
  framework.description =
    `AWS CDK resource provider framework - onEvent (${pathWithoutParts(provider)})`.slice(0, 256);
}

const HIDDEN_ID = 'Default';
const HIDDEN_FROM_HUMAN_ID = 'Resource';

/**
 * CDK's `makeUniqueId` (aws-cdk-lib core/lib/private/uniqueid, not exported): the readable
 * path (without `Default`, without repeated and `Resource` components) and an md5 hash of the
 * path. The infra tests compare it with `Names.uniqueId` on every construct of a stage.
 *
 * @example
 * ```ts
 * makeUniqueId(['ClaimCheck', 'Resource']); // 'ClaimCheck' + 8 hex digits
 * ```
 */
export function makeUniqueId(components: readonly string[]): string {
  const path = components.filter((c) => c !== HIDDEN_ID);
  if (path.length === 0) throw new Error('No logical id for an empty path');
  const alphanumeric = (s: string) => s.replace(/[^A-Za-z0-9]/g, '');
  if (path.length === 1) {
    const candidate = alphanumeric(path[0] as string);
    if (candidate.length <= 255) return candidate;
  }
  const hash = createHash('md5').update(path.join('/')).digest('hex').slice(0, 8).toUpperCase();
  const human: string[] = [];
  for (const c of path) {
    const last = human[human.length - 1];
    if (last === undefined || !last.endsWith(c)) human.push(c);
  }
  return (
    human
      .filter((c) => c !== HIDDEN_FROM_HUMAN_ID)
      .map(alphanumeric)
      .join('')
      .slice(0, 240) + hash
  );
}
