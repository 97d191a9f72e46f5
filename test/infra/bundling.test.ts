import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resourcesOf, synthStage, TEST_CODE_VERSION } from './support/synth';

describe('bundling with local esbuild (no Docker)', () => {
  it('bundles every function of the stage: minified CommonJS, source map, code version injected, unused SDK schemas dropped', () => {
    const started = Date.now();
    const stage = synthStage({}, 'test', { bundling: true });
    const seconds = (Date.now() - started) / 1000;
    let bundled = 0;
    for (const stack of [stage.stacks.search, stage.stacks.pipeline]) {
      const artifact = stage.assembly.getStackByName(stack.stackName);
      const functions = resourcesOf(stage.template(stack), 'AWS::Lambda::Function');
      for (const [logicalId, fn] of Object.entries(functions)) {
        // The Provider framework's own function ships prebuilt code from aws-cdk-lib.
        if (logicalId.includes('framework')) continue;
        // The staged asset directory is named after the hash the S3 key carries.
        const key = String((fn.Properties.Code as { S3Key?: unknown }).S3Key);
        const dir = join(artifact.assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
        expect(existsSync(join(dir, 'index.js')), `${logicalId} bundle`).toBe(true);
        expect(existsSync(join(dir, 'index.js.map')), `${logicalId} source map`).toBe(true);
        const code = readFileSync(join(dir, 'index.js'), 'utf8');
        // Code that writes dead letters carries the version it was built from.
        const writesDeadLetters = String(fn.Properties.FunctionName).match(
          /-(router|replay|job-.+)$/,
        );
        if (writesDeadLetters) {
          expect(code.includes(JSON.stringify(TEST_CODE_VERSION)), `${logicalId} version`).toBe(
            true,
          );
        }
        expect(code.includes('__SLUICE_CODE_VERSION__'), `${logicalId} define`).toBe(false);
        expect(code.includes('handler'), `${logicalId} handler`).toBe(true);
        expect(code.length, `${logicalId} size`).toBeLessThan(2_000_000);
        // The literal-schema-keys plugin ran: no function sends an S3 analytics operation, so
        // no bundle keeps its schema (without the plugin, every bundle with S3 kept them all).
        expect(code.includes('"AnalyticsConfiguration"'), `${logicalId} S3 schemas`).toBe(false);
        bundled += 1;
      }
    }
    // router, replay, five workers, index setup, access setup, service-linked role
    expect(bundled).toBe(10);
    // Reported so a slow machine shows up in the log: ten esbuild runs, well under 30 s on a
    // quiet machine, 45 s seen in a CI run beside other work — hence the test's own limit.
    console.log(`synth with bundling: ${seconds.toFixed(1)} s`);
    rmSync(stage.outdir, { recursive: true, force: true });
  }, 180_000);
});
