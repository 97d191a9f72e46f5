import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ABUSE_THRESHOLDS,
  readAbuseConfig,
} from '../../../../functions/workers/detect-login-abuse/abuse-config';

describe('login abuse configuration', () => {
  it('derives the table and index from the stage and uses default thresholds', () => {
    expect(readAbuseConfig({ SLUICE_STAGE: 'dev' })).toEqual({
      table: 'sluice-dev-abuse-counters',
      securityIndex: 'sluice-dev-security',
      ...DEFAULT_ABUSE_THRESHOLDS,
    });
  });

  it('reads the window and thresholds from the environment', () => {
    const config = readAbuseConfig({
      SLUICE_STAGE: 'dev',
      SLUICE_ABUSE_WINDOW_SECONDS: '600',
      SLUICE_ABUSE_ACCOUNT_THRESHOLD: '10',
      SLUICE_ABUSE_IP_THRESHOLD: '50',
    });
    expect(config).toMatchObject({ windowSeconds: 600, accountThreshold: 10, ipThreshold: 50 });
  });

  it.each([
    [{}, 'SLUICE_STAGE is required'],
    [{ SLUICE_STAGE: 'dev', SLUICE_ABUSE_WINDOW_SECONDS: '30' }, 'SLUICE_ABUSE_WINDOW_SECONDS'],
    [{ SLUICE_STAGE: 'dev', SLUICE_ABUSE_IP_THRESHOLD: '0' }, 'SLUICE_ABUSE_IP_THRESHOLD'],
    [
      { SLUICE_STAGE: 'dev', SLUICE_ABUSE_ACCOUNT_THRESHOLD: 'x' },
      'SLUICE_ABUSE_ACCOUNT_THRESHOLD',
    ],
  ])('rejects %j naming the variable', (env, variable) => {
    expect(() => readAbuseConfig(env)).toThrow(variable);
  });
});
