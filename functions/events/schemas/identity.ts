/**
 * Identity events: self-contained facts, small enough to carry everything a consumer needs.
 */
import type { Static } from '@sinclair/typebox';
// Namespace import: bundles only the builders used (the `Type` object holds every one).
import * as Type from '@sinclair/typebox';
import { MAX_EMAIL_LENGTH } from '../formats';
import { Id } from './common';

export const LoginFailedV1 = Type.Object(
  {
    accountId: Id,
    email: Type.String({ maxLength: MAX_EMAIL_LENGTH, format: 'email' }),
    ip: Type.String({
      maxLength: 45,
      pattern: '^[0-9A-Fa-f:.]{2,45}$',
      description: 'IPv4 or IPv6 address',
    }),
    userAgent: Type.String({ maxLength: 2048 }),
    reason: Type.Optional(
      Type.String({
        maxLength: 256,
        description: 'e.g. BAD_PASSWORD, UNKNOWN_ACCOUNT, MFA_FAILED',
      }),
    ),
  },
  { description: 'A login attempt failed' },
);

export type LoginFailed = Static<typeof LoginFailedV1>;
