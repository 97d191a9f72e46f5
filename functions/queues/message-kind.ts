/**
 * Telling a Sluice message's kind from the start of its body without parsing it: every
 * writer of Sluice messages puts `kind` first, and a re-encoding on the way keeps the order
 * of members but not the spacing (LocalStack's SQS poller hands functions each JSON body
 * written again by Python: `{"kind": "sluice.job-pack", …`).
 */

/**
 * A test of whether a body's JSON starts with `kind` set to `kind`, however spaced.
 *
 * @example
 * ```ts
 * const isPackStart = startsWithKind('sluice.job-pack');
 * isPackStart('{"kind": "sluice.job-pack", "v": 1, "jobs": []}'); // true
 * ```
 */
export function startsWithKind(kind: string): (body: string) => boolean {
  const value = JSON.stringify(kind);
  return (body) => {
    let at = afterSpace(body, 0);
    if (body[at] !== '{') return false;
    at = afterSpace(body, at + 1);
    if (!body.startsWith('"kind"', at)) return false;
    at = afterSpace(body, at + '"kind"'.length);
    if (body[at] !== ':') return false;
    return body.startsWith(value, afterSpace(body, at + 1));
  };
}

/** The index of the first character at or after `from` that is not JSON whitespace. */
function afterSpace(text: string, from: number): number {
  let at = from;
  while (at < text.length && ' \t\n\r'.includes(text[at] as string)) at++;
  return at;
}
