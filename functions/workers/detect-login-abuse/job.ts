/**
 * detect-login-abuse: increments per-account and per-IP failure counters and flags abuse.
 * Idempotent by itself: each job's failure is counted once per subject (the counter
 * remembers the jobs it counted, counters.ts), so it needs no idempotency store.
 */
import { DEFAULT_JOB_SETTINGS, jobDefinition } from '../../jobs';

export const detectLoginAbuseJob = jobDefinition({
  name: 'detect-login-abuse',
  description: 'Counts failed logins per account and IP and flags abuse',
  eventTypes: ['LOGIN_FAILED'],
  batch: false,
  access: { tables: { abuseCounters: 'readWrite' }, indexes: ['security'] },
  settings: {
    ...DEFAULT_JOB_SETTINGS,
    timeoutSeconds: 30,
    // Detection loses its value quickly: faster retries than the default. The counts are
    // kept at the first attempt; what waits for a retry is the flag in OpenSearch, and eight
    // attempts outlast a restart of the domain (at least 197 s, retry-schedule.ts).
    maxAttempts: 8,
    // Deferred deliveries (a throttled batch's rest, a claim held elsewhere) are received
    // without counting an attempt: keep the default's spare receives above maxAttempts.
    maxReceiveCount: 15,
    backoff: { baseSeconds: 5, capSeconds: 120 },
    idempotency: 'natural',
    successRecords: 'sampled',
    sampleRate: 0.01,
  },
});
