/**
 * One line of `sluice preflight`: what was checked, whether it passed, and for a failure the
 * fix. Blocking failures make the command exit non-zero: the deploy would fail at them.
 */

/** `pass` ✓, `fail` ✗ (blocks the deploy), `warn` ! (may hurt later), `skip` – (not checked). */
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface PreflightCheck {
  /** Stable key for scripts, e.g. `lambda-concurrency`. */
  readonly id: string;
  readonly title: string;
  readonly status: CheckStatus;
  /** What was found. */
  readonly detail: string;
  /** What to do about a `fail` or `warn`. */
  readonly fix?: string;
  /** The look-up itself failed: no verdict either way. */
  readonly unverified?: true;
}

/**
 * A failed look-up (AccessDenied, throttling) is not a verdict: the check says it could not run.
 *
 * @example
 * ```ts
 * couldNotCheck('cdk-bootstrap', 'CDK bootstrap', new Error('AccessDenied')).unverified; // true
 * ```
 */
export function couldNotCheck(id: string, title: string, error: unknown): PreflightCheck {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    id,
    title,
    status: 'warn',
    unverified: true,
    detail: `could not check: ${message}`,
    fix: 'Make this read-only call possible (credentials, IAM: cli/README.md, "sluice preflight") and run again.',
  };
}
