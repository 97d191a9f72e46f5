import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ESBUILD_TARGET, LAMBDA_NODE_MAJOR } from '../../infra/bundling';
import { FUNCTION_RUNTIME } from '../../infra/constructs/sluice-function';

const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as {
  engines: { node: string };
};

describe('one Node.js major from the tests to Lambda', () => {
  it('esbuild targets the Lambda runtime’s Node.js, and engines asks for it', () => {
    expect(FUNCTION_RUNTIME.name).toBe(`nodejs${LAMBDA_NODE_MAJOR}.x`);
    expect(ESBUILD_TARGET).toBe(`node${LAMBDA_NODE_MAJOR}`);
    expect(packageJson.engines.node).toMatch(new RegExp(`^>=${LAMBDA_NODE_MAJOR}\\.`));
  });

  it('the tests run on that major (.ci/ensure-node provides it)', () => {
    expect(Number(process.versions.node.split('.')[0])).toBe(LAMBDA_NODE_MAJOR);
  });
});
