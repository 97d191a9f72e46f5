/**
 * The chaos scenarios `npm test` runs (the rest run in `npm run chaos`): OpenSearch killed
 * and restarted while jobs write to it, and the router's process killed mid-batch and
 * restarted. Each must settle by itself with every end-to-end invariant intact. Runs on its
 * own, after the other tests (vitest.chaos.config.ts): it kills services they use.
 */
import { describe, expect, it } from 'vitest';
import { formatChaosReport } from '../../local/chaos/report';
import { runChaos } from '../../local/chaos/run-chaos';
import { TEST_SCENARIOS } from '../../local/chaos/scenarios';

describe('the pipeline under faults', () => {
  it.each(TEST_SCENARIOS)('%s: settles by itself, nothing lost or doubled', async (scenario) => {
    const report = await runChaos({
      scenarios: [scenario],
      events: 600,
      settleTimeoutMs: 8 * 60_000,
      say: (line) => process.stderr.write(`[chaos] ${line}\n`),
    });
    const [result] = report.results;
    // The table names the effects that broke and where the functions' logs are.
    expect(result?.passed, formatChaosReport(report)).toBe(true);
    expect(report.summary).toMatchObject({
      scenarios: 1,
      passed: 1,
      lostEffects: 0,
      duplicatedEffects: 0,
    });
    expect(report.summary.recoverySeconds[scenario]).toBeGreaterThan(0);
    expect(result?.checks.map((c) => c.effect)).toContain('failed logins counted');
  });
});
