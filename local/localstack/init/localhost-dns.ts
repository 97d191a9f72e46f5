/**
 * Preloaded into every handler process (`node --import`): host names under `localhost`
 * resolve to the loopback address, as RFC 6761 asks and as LocalStack's DNS server answers
 * its Lambda containers. Deployed functions call LocalStack by such names — queue URLs are
 * `https://sqs.<region>.<AWS::URLSuffix>/…`, and LocalStack's URLSuffix is its host name —
 * which the host's resolver (glibc without systemd-resolved) does not know.
 */
import dns, { type LookupAddress, type LookupOptions } from 'node:dns';

type Callback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** True for `localhost` and every name under it. */
export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

const systemLookup = dns.lookup;

function lookup(hostname: string, options: unknown, callback?: unknown): void {
  const done = (typeof options === 'function' ? options : callback) as Callback;
  const settings: LookupOptions =
    typeof options === 'number' ? { family: options } : ((options as LookupOptions) ?? {});
  if (!isLocalhostName(hostname)) {
    (systemLookup as (h: string, o: LookupOptions, c: Callback) => void)(hostname, settings, done);
    return;
  }
  if (settings.all) process.nextTick(done, null, [{ address: '127.0.0.1', family: 4 }]);
  else process.nextTick(done, null, '127.0.0.1', 4);
}

const systemPromiseLookup = dns.promises.lookup;

async function promiseLookup(
  hostname: string,
  options?: number | LookupOptions,
): Promise<LookupAddress | LookupAddress[]> {
  const settings: LookupOptions =
    typeof options === 'number' ? { family: options } : (options ?? {});
  if (!isLocalhostName(hostname)) return systemPromiseLookup(hostname, settings);
  const loopback = { address: '127.0.0.1', family: 4 };
  return settings.all ? [loopback] : loopback;
}

(dns as { lookup: unknown }).lookup = lookup;
(dns.promises as { lookup: unknown }).lookup = promiseLookup;
