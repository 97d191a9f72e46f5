/**
 * The bundles' credential chain: the environment's credentials (as Lambda sets them), else
 * a container credentials endpoint (served here on the loopback address), else a clear
 * failure — never a profile, SSO or instance metadata.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultProvider } from '../../../functions/shared/lambda-credentials';

const VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
  'AWS_PROFILE',
] as const;
const saved = new Map(VARIABLES.map((name) => [name, process.env[name]]));
let server: Server;
let requests = 0;
let endpoint = '';

beforeAll(async () => {
  server = createServer((_, response) => {
    requests++;
    response.setHeader('content-type', 'application/json');
    response.end(
      JSON.stringify({
        AccessKeyId: 'from-container',
        SecretAccessKey: 'secret',
        Token: 'token',
        Expiration: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/credentials`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  requests = 0;
  for (const name of VARIABLES) delete process.env[name];
});
afterEach(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('the bundles’ credential chain', () => {
  it('takes the environment’s credentials, as Lambda sets them, even with an endpoint set', async () => {
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'from-env',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'session',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint,
    });
    const credentials = await defaultProvider({})();
    expect(credentials).toMatchObject({ accessKeyId: 'from-env', sessionToken: 'session' });
    expect(requests).toBe(0);
  });

  it('asks the container endpoint when the environment has none', async () => {
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = endpoint;
    const credentials = await defaultProvider({})();
    expect(credentials).toMatchObject({ accessKeyId: 'from-container', sessionToken: 'token' });
    expect(requests).toBe(1);
  });

  it('fails clearly with neither, whatever profile is named', async () => {
    process.env.AWS_PROFILE = 'someone';
    await expect(defaultProvider({})()).rejects.toThrow(/environment variable credentials/);
  });
});
