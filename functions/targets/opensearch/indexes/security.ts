/**
 * The security index: one suspicion document per subject (account or IP address) and
 * counting window, written create-only by detect-login-abuse
 * (functions/workers/detect-login-abuse/suspicions.ts has the document's shape). Fields
 * that job adds later are kept in `_source` but not indexed (`dynamic: false`) rather than
 * rejected: a security record must not be dead-lettered for an extra field.
 */
import { FOLDED_NORMALIZER, type IndexSpec } from './spec';

const keyword = { type: 'keyword' } as const;

export const SECURITY_INDEX: IndexSpec = {
  key: 'security',
  version: 1,
  settings: FOLDED_NORMALIZER,
  mappings: {
    dynamic: false,
    properties: {
      suspicionId: keyword,
      kind: keyword,
      subject: keyword,
      windowStart: { type: 'date' },
      windowEnd: { type: 'date' },
      threshold: { type: 'integer' },
      failures: { type: 'integer' },
      detectedAt: { type: 'date' },
      flaggedAt: { type: 'date' },
      eventId: keyword,
      accountId: keyword,
      email: { type: 'keyword', normalizer: 'folded' },
      // keyword, not ip: an address the identity schema lets through must never bounce.
      ip: keyword,
      userAgent: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 512 } } },
      reason: keyword,
    },
  },
};
