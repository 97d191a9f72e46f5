/**
 * A per-container limit on in-flight work that backs off when the target throttles:
 * additive increase, multiplicative decrease (as TCP does). A limiter shared by all
 * containers of a target is a later step; this one needs no I/O.
 *
 * @example
 * ```ts
 * const limiter = new AimdLimiter({ initial: 10, max: 10 });
 * limiter.onThrottle(); // limit 5
 * limiter.onSuccess();  // limit grows by 1/limit per success: about +1 per full window
 * ```
 */
export interface AimdOptions {
  readonly initial: number;
  readonly max: number;
  readonly min?: number;
  /** Multiplier applied on throttling, in (0, 1). */
  readonly decrease?: number;
  /** Growth per full window of successes. */
  readonly increase?: number;
}

export class AimdLimiter {
  private current: number;
  private readonly min: number;
  private readonly max: number;
  private readonly decrease: number;
  private readonly increase: number;

  constructor(options: AimdOptions) {
    this.min = options.min ?? 1;
    this.max = Math.max(this.min, options.max);
    this.decrease = options.decrease ?? 0.5;
    this.increase = options.increase ?? 1;
    this.current = Math.min(this.max, Math.max(this.min, options.initial));
  }

  /** Work items allowed in flight now (a whole number ≥ min). */
  get limit(): number {
    return Math.max(this.min, Math.floor(this.current));
  }

  onSuccess(): void {
    this.current = Math.min(this.max, this.current + this.increase / Math.max(1, this.current));
  }

  onThrottle(): void {
    this.current = Math.max(this.min, this.current * this.decrease);
  }
}
