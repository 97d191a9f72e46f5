/**
 * Bundles one function into a folder (index.js and index.js.map) with {@link buildFunction}:
 * the child process SluiceFunction runs while `cdk synth` bundles (synthesis is synchronous,
 * esbuild plugins need esbuild's asynchronous API).
 *
 * @example
 * ```sh
 * node --import tsx infra/build-function.ts functions/router/handler.ts /tmp/router abc123
 * ```
 */
import { buildFunction } from './bundling';

const [entry, outdir, codeVersion] = process.argv.slice(2);
if (entry === undefined || outdir === undefined || codeVersion === undefined) {
  process.stderr.write('usage: build-function.ts <entry> <outdir> <code version>\n');
  process.exit(2);
}
await buildFunction(entry, outdir, codeVersion);
