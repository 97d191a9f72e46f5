/**
 * The environment `npm run dev` and the chaos suite give the functions they run from source:
 * the deployed variables, and the working tree's git SHA as the code version (there is no
 * build step to inject one, and `unversioned` would make every local dead letter look alike).
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { pipelineEnvironment } from '../../../../local/dev/environment';
import type { ProvisionedStage } from '../../../../local/provision/stage';

const stage: ProvisionedStage = {
  stage: 'dev',
  queueUrls: new Map(),
  queueUrlBase: 'http://127.0.0.1:9324/000000000000/',
  claimCheckBucket: 'sluice-dev-claim-check',
  tables: new Map(),
  indexes: new Map(),
};

describe('pipelineEnvironment', () => {
  it("carries the working tree's SHA as the code version", () => {
    vi.stubEnv('SLUICE_CODE_VERSION', '');
    try {
      const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
        encoding: 'utf8',
      }).trim();
      const env = pipelineEnvironment(stage);
      expect(env.SLUICE_CODE_VERSION).toMatch(new RegExp(`^${sha}(-dirty)?$`));
      expect(env).toMatchObject({
        SLUICE_STAGE: 'dev',
        SLUICE_QUEUE_URL_BASE: stage.queueUrlBase,
        SLUICE_CLAIM_CHECK_BUCKET: stage.claimCheckBucket,
      });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
