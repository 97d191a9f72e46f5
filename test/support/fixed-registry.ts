/**
 * "The fix" the end-to-end tests deploy before redriving the ingest DLQ: an event registry
 * that knows LOGIN_FAILED v2, the schema version the simulated shop publishes ahead of the
 * code (v1 upcasts to it unchanged). Used in process by test/e2e and bundled into the
 * replay function deployed to LocalStack by test/localstack.
 */
import { Type } from '@sinclair/typebox';
import { EVENT_TYPES, EventRegistry } from '../../functions/events/registry';
import type { LoginFailed } from '../../functions/events/schemas/identity';
import { LoginFailedV1 } from '../../functions/events/schemas/identity';
import { FUTURE_LOGIN_FAILED_VERSION } from '../../local/shop/scenario';

/**
 * @example
 * ```ts
 * const parser = new EventParser(registryKnowingLoginFailedV2());
 * ```
 */
export function registryKnowingLoginFailedV2(): EventRegistry {
  const LoginFailedV2 = Type.Object({
    ...LoginFailedV1.properties,
    mfaMethod: Type.Optional(Type.String()),
  });
  return new EventRegistry(
    EVENT_TYPES.map((definition) =>
      definition.type !== 'LOGIN_FAILED'
        ? definition
        : {
            ...definition,
            versions: [
              {
                ...(definition.versions[0] as (typeof definition.versions)[number]),
                upcast: (data: LoginFailed) => data,
              },
              { version: FUTURE_LOGIN_FAILED_VERSION, schema: LoginFailedV2 },
            ],
          },
    ),
  );
}
