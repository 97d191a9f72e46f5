/**
 * What a validation reports, for tests of code that throws one error listing every problem
 * it found (a stage configuration, an event source mapping).
 */

/**
 * The problems `fn` reports: the `problems` of the `type` error it throws, or none when it
 * returns. Any other error is thrown on.
 *
 * @example
 * ```ts
 * expect(problemsOf(() => resolveSqsMapping(bad), InvalidMappingError)).toEqual([...]);
 * ```
 */
export function problemsOf(
  fn: () => unknown,
  type: abstract new (...args: never[]) => { readonly problems: readonly string[] },
): readonly string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof type) return error.problems;
    throw error;
  }
  return [];
}
