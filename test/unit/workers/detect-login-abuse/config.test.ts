import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ABUSE_THRESHOLDS,
  readDetectLoginAbuseConfig,
} from '../../../../functions/workers/detect-login-abuse/config';

const REQUIRED = { SLUICE_STAGE: 'dev', SLUICE_OPENSEARCH_URL: 'http://127.0.0.1:9200' };

describe('readDetectLoginAbuseConfig', () => {
  it('derives the table and index from the stage and uses default thresholds', () => {
    expect(readDetectLoginAbuseConfig({ ...REQUIRED, SLUICE_STAGE: 'dev' })).toEqual({
      table: 'sluice-dev-abuse-counters',
      securityIndex: 'sluice-dev-security',
      ...DEFAULT_ABUSE_THRESHOLDS,
      openSearch: { url: 'http://127.0.0.1:9200', mode: 'none' },
    });
  });

  it('reads the window and thresholds from the environment', () => {
    const config = readDetectLoginAbuseConfig({
      ...REQUIRED,
      SLUICE_ABUSE_WINDOW_SECONDS: '600',
      SLUICE_ABUSE_ACCOUNT_THRESHOLD: '10',
      SLUICE_ABUSE_IP_THRESHOLD: '50',
    });
    expect(config).toMatchObject({ windowSeconds: 600, accountThreshold: 10, ipThreshold: 50 });
  });

  it.each([
    [{ SLUICE_OPENSEARCH_URL: 'http://127.0.0.1:9200' }, 'SLUICE_STAGE is required'],
    [{ SLUICE_STAGE: 'dev' }, 'SLUICE_OPENSEARCH_URL'],
    [{ ...REQUIRED, SLUICE_ABUSE_WINDOW_SECONDS: '30' }, 'SLUICE_ABUSE_WINDOW_SECONDS'],
    [{ ...REQUIRED, SLUICE_ABUSE_IP_THRESHOLD: '0' }, 'SLUICE_ABUSE_IP_THRESHOLD'],
    [{ ...REQUIRED, SLUICE_ABUSE_ACCOUNT_THRESHOLD: 'x' }, 'SLUICE_ABUSE_ACCOUNT_THRESHOLD'],
  ])('rejects %j naming the variable', (env, variable) => {
    expect(() => readDetectLoginAbuseConfig(env)).toThrow(variable);
  });
});
