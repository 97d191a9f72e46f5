/**
 * Vitest global setup: installs cfn-lint (PyPI) if it is not yet, and brings up the local
 * services the tests need, idempotently (services already healthy, ours or a user's, are
 * left alone), and points the AWS SDK at them. While the tests run, a service that dies is
 * started again and reported, so the later files can run, and the run fails at teardown: a
 * crash is a finding, and the restarted service lost state the tests relied on (the chaos
 * phase, which kills services on purpose, has its own setup without that). It never stops services: `.ci/run` does that, and a developer keeps
 * them running between runs. Set SLUICE_SERVICES=external to use your own endpoints
 * (LocalStack, AWS) instead.
 */
import { ensureCfnLint } from '../infra/lint/cfn-lint';
import { removeStage } from '../local/provision/stage';
import { applyLocalServiceEnv } from '../local/services/endpoints';
import { servicesUp } from '../local/services/stack';
import { superviseServices } from '../local/services/supervise';
import { takeNotedStages } from './support/stage';

export default async function setup(): Promise<() => Promise<void>> {
  await prepareServices();
  const stopSupervising =
    process.env.SLUICE_SERVICES === 'external'
      ? async (): Promise<string[]> => []
      : superviseServices({
          report: (message) => process.stderr.write(`[services] ${message}\n`),
        });
  return async () => {
    const restarted = await stopSupervising();
    // The stages go even when a restart fails the run, and their failure cannot hide it.
    let removal: unknown;
    await removeTestStages().catch((error: unknown) => {
      removal = error;
    });
    if (restarted.length > 0) {
      throw new Error(
        `${restarted.join(', ')} died during the tests and ${restarted.length === 1 ? 'was' : 'were'} ` +
          'started again: the run does not count (see [services] above and the service logs)',
      );
    }
    if (removal !== undefined) throw removal;
  };
}

/** cfn-lint installed, and the local services up unless SLUICE_SERVICES=external. */
export async function prepareServices(): Promise<void> {
  // Installed on first use, so before any test's timeout starts (a first install takes longer).
  await ensureCfnLint({
    progress: (message) => process.stderr.write(`[cfn-lint] ${message}\n`),
  });
  if (process.env.SLUICE_SERVICES !== 'external') {
    applyLocalServiceEnv();
    await servicesUp([], {
      progress: (name, message) => process.stderr.write(`[services] ${name}: ${message}\n`),
    });
  }
}

/** Teardown: deletes the queues, tables, buckets and indexes of every stage the tests made. */
export async function removeTestStages(): Promise<void> {
  const stages = takeNotedStages();
  const failures: string[] = [];
  // A few at a time: each stage is a dozen queues, six tables, a bucket and its indexes.
  for (let i = 0; i < stages.length; i += 4) {
    await Promise.all(
      stages
        .slice(i, i + 4)
        .map((stage) =>
          removeStage(stage).catch((error: unknown) => failures.push(`${stage}: ${String(error)}`)),
        ),
    );
  }
  process.stderr.write(`[teardown] removed ${stages.length - failures.length} test stages\n`);
  for (const failure of failures) process.stderr.write(`[teardown] not removed: ${failure}\n`);
}
