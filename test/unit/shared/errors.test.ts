import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('error names', () => {
  it('survive minification, so dead letters name the same class in every build', async () => {
    const result = await build({
      stdin: {
        contents: `
          import { RecordRejectedError, TransientError } from './functions/shared/errors';
          import { ThrottledError } from './functions/shared/throttling';
          globalThis.names = [new RecordRejectedError('NOT_JSON', 'x'), new TransientError('x'), new ThrottledError('x')].map((e) => e.name);`,
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'cjs',
      write: false,
    });
    const scope: { names?: string[] } = {};
    new Function('globalThis', 'require', result.outputFiles[0]?.text ?? '')(scope, require);
    expect(scope.names).toEqual(['RecordRejectedError', 'TransientError', 'ThrottledError']);
  });
});
