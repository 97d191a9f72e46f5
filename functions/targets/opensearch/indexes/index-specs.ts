/**
 * Every index Sluice owns, by topology key: the one table local provisioning, tests, the
 * CloudFormation custom resource and the reindex path read.
 *
 * @example
 * ```ts
 * INDEX_SPECS.products.version; // 1 → sluice-<stage>-products-v1
 * ```
 */
import type { IndexKey } from '../../../topology/topology';
import { AUDIT_INDEX } from './audit';
import { PRODUCTS_INDEX } from './products';
import { SECURITY_INDEX } from './security';
import type { IndexSpec } from './spec';

export const INDEX_SPECS: Readonly<Record<IndexKey, IndexSpec>> = {
  products: PRODUCTS_INDEX,
  audit: AUDIT_INDEX,
  security: SECURITY_INDEX,
};
