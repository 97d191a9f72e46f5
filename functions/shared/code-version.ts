/**
 * The version (git SHA) of the deployed code, injected at build time by esbuild's `define`
 * (see infra's bundling options and vitest.config.ts). Code run from source (`npm run dev`,
 * the chaos suite) has no build step: there `SLUICE_CODE_VERSION` carries the working tree's
 * SHA instead. Written into every dead letter so a failure can be tied to the code that
 * produced it.
 */
declare const __SLUICE_CODE_VERSION__: string | undefined;

export const CODE_VERSION: string =
  typeof __SLUICE_CODE_VERSION__ === 'string'
    ? __SLUICE_CODE_VERSION__
    : process.env.SLUICE_CODE_VERSION || 'unversioned';
