/**
 * A small, fast, seedable generator (mulberry32): the simulated shop and the benchmarks draw
 * from it so every run with the same seed produces the same data.
 *
 * @example
 * ```ts
 * const random = seededRandom(42);
 * random(); // the same number in [0, 1) on every run
 * ```
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
