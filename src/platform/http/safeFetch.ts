import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/**
 * A fetcher for small documents at URLs that someone outside supplies — an OAuth client's metadata document, for one —
 * that cannot be turned against the network the server sits in (SSRF).
 *
 * Every address a name resolves to is checked against the special-use ranges before anything connects, and the
 * connection then goes to exactly the address that was checked: the name is never looked up a second time, so a DNS
 * answer that changes between the check and the connection (DNS rebinding) changes nothing. Certificates are verified
 * against the name in the URL as usual. Redirects are refused rather than followed, because each hop would be a new,
 * unchecked URL; the body is capped and the whole exchange has one deadline, so a slow or endless answer costs little.
 */

/** Why a fetch was refused or failed; callers branch on this, the message is for people. */
export type SafeFetchFailure = 'url' | 'scheme' | 'address' | 'dns' | 'timeout' | 'too_large' | 'redirect' | 'status' | 'network';

/** A refused or failed fetch. The message is short and never quotes the response body. */
export class SafeFetchError extends Error {
  override readonly name = 'SafeFetchError';

  constructor(
    readonly reason: SafeFetchFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface SafeFetchOptions {
  /** The largest body accepted, in bytes; a longer one (or a Content-Length that announces one) fails with 'too_large'. */
  maxBytes: number;
  /** One deadline for the whole exchange: DNS, connect, TLS, headers and body. */
  timeoutMs: number;
  /**
   * For tests only: loopback addresses (127.0.0.0/8, ::1, and IPv4-mapped loopback) are allowed, and so is plain
   * http:// when every address the host resolves to is loopback. Every other special-use address stays refused.
   */
  allowLoopback?: boolean;
}

export interface SafeFetchResponse {
  status: 200;
  /** Response headers with lower-cased names; repeated headers are joined with ', '. */
  headers: Record<string, string>;
  body: Buffer;
  /** The address the document came from — the checked address the connection was pinned to. */
  address: string;
}

const USER_AGENT = 'Taskline (+client metadata fetch)';

/**
 * The special-use ranges of RFC 6890 and the IANA special-purpose address registries: none of them is an address a
 * public document can live at, and most reach the server's own host or private network. IPv4 and IPv6 get a list
 * each because a `BlockList` matches an IPv4 address against its IPv6 rules as IPv4-mapped, which would put every
 * IPv4 address under the ::ffff:0:0/96 rule.
 */
const SPECIAL_USE_V4 = new net.BlockList();
const SPECIAL_USE_V6 = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, where cloud metadata services answer
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.31.196.0', 24], // AS112-v4
  ['192.52.193.0', 24], // AMT
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['192.175.48.0', 24], // direct delegation AS112 service
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, including the limited broadcast address 255.255.255.255
] as const) {
  SPECIAL_USE_V4.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['::', 96], // deprecated IPv4-compatible addresses: an IPv4 address in disguise, never a legitimate destination
  ['::ffff:0:0', 96], // IPv4-mapped: never reaches this list, isSpecialUseAddress judges the embedded IPv4 address
  ['64:ff9b::', 96], // NAT64 well-known prefix: would reach any IPv4 address, private ones included
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard-only
  ['2001::', 23], // IETF protocol assignments, Teredo included
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: would reach any IPv4 address, private ones included
  ['3fff::', 20], // documentation
  ['5f00::', 16], // segment routing (SRv6) SIDs
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
] as const) {
  SPECIAL_USE_V6.addSubnet(network, prefix, 'ipv6');
}

const LOOPBACK_V4 = new net.BlockList();
LOOPBACK_V4.addSubnet('127.0.0.0', 8, 'ipv4');
const LOOPBACK_V6 = new net.BlockList();
LOOPBACK_V6.addAddress('::1', 'ipv6');

/**
 * The eight 16-bit groups of a valid IPv6 address (as `net.isIPv6` accepts it, without a zone), a trailing dotted
 * IPv4 part included.
 */
function ipv6Groups(ip: string): number[] {
  let text = ip;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${ip.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const gap = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(gap).fill('0'), ...right].map((group) => Number.parseInt(group, 16));
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (::ffff:a.b.c.d, in any spelling), if it is one. */
function mappedIPv4(ip: string): string | undefined {
  const groups = ipv6Groups(ip);
  if (groups.length !== 8 || groups.slice(0, 5).some((g) => g !== 0) || groups[5] !== 0xffff) return undefined;
  const high = groups[6] ?? 0;
  const low = groups[7] ?? 0;
  return `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
}

/**
 * An address reduced to one spelling, for comparing the address that was checked with the one the socket reached:
 * IPv4-mapped IPv6 becomes plain IPv4, other IPv6 addresses become their full groups. Undefined for anything that is
 * not an IP address, zoned IPv6 included.
 */
function canonical(ip: string): string | undefined {
  if (ip.includes('%')) return undefined;
  const family = net.isIP(ip);
  if (family === 4) return ip;
  if (family !== 6) return undefined;
  return mappedIPv4(ip) ?? ipv6Groups(ip).join(':');
}

/**
 * Whether an address is special-use (RFC 6890 and the IANA special-purpose registries): private, loopback,
 * link-local, shared, documentation, benchmarking, multicast, reserved, and the IPv6 prefixes that translate to or
 * tunnel into IPv4. An IPv4-mapped IPv6 address is judged by its IPv4 address. Anything that is not a plain IP address
 * (a zoned IPv6 address included) counts as special-use, so that a surprise is refused rather than fetched.
 */
export function isSpecialUseAddress(ip: string): boolean {
  const address = canonical(ip);
  if (address === undefined) return true;
  return net.isIPv4(address) ? SPECIAL_USE_V4.check(address, 'ipv4') : SPECIAL_USE_V6.check(ip, 'ipv6');
}

/** Whether an address is loopback: 127.0.0.0/8, ::1, or IPv4-mapped loopback. */
function isLoopback(ip: string): boolean {
  const address = canonical(ip);
  if (address === undefined) return false;
  return net.isIPv4(address) ? LOOPBACK_V4.check(address, 'ipv4') : LOOPBACK_V6.check(ip, 'ipv6');
}

interface Target {
  url: URL;
  /** The host as `http.request` wants it: a name, or an IP literal without IPv6 brackets. */
  host: string;
  /** Whether the host is an IP literal, which needs no lookup and must not be sent as TLS SNI. */
  literal: boolean;
}

function parseTarget(input: string, allowLoopback: boolean): Target {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new SafeFetchError('url', 'The URL cannot be parsed.');
  }
  if (url.username !== '' || url.password !== '') throw new SafeFetchError('url', 'The URL must not contain a user name or password.');
  // An empty fragment ("…#") leaves `hash` empty but still shows in `href`.
  if (url.hash !== '' || url.href.endsWith('#')) throw new SafeFetchError('url', 'The URL must not contain a fragment.');
  if (url.protocol !== 'https:' && !(allowLoopback && url.protocol === 'http:')) {
    throw new SafeFetchError('scheme', 'The URL must use https.');
  }
  const host = url.hostname.startsWith('[') && url.hostname.endsWith(']') ? url.hostname.slice(1, -1) : url.hostname;
  if (host === '') throw new SafeFetchError('url', 'The URL has no host.');
  return { url, host, literal: net.isIP(host) !== 0 };
}

async function resolve(target: Target): Promise<dns.LookupAddress[]> {
  if (target.literal) return [{ address: target.host, family: net.isIP(target.host) }];
  let addresses: dns.LookupAddress[];
  try {
    addresses = await dns.promises.lookup(target.host, { all: true, verbatim: true });
  } catch (err) {
    throw new SafeFetchError('dns', `The host ${target.host} cannot be resolved (${errorCode(err)}).`);
  }
  if (addresses.length === 0) throw new SafeFetchError('dns', `The host ${target.host} has no addresses.`);
  return addresses;
}

/**
 * The address to connect to, once every address the host resolved to has passed: one bad address refuses the host,
 * since a name that also points inside is not one to trust with any of its answers.
 */
function checkAddresses(target: Target, addresses: dns.LookupAddress[], allowLoopback: boolean): dns.LookupAddress {
  for (const { address } of addresses) {
    if (allowLoopback && isLoopback(address)) continue;
    if (!isSpecialUseAddress(address)) continue;
    throw new SafeFetchError(
      'address',
      target.literal ? `${address} is a special-use address.` : `The host ${target.host} resolves to a special-use address (${address}).`,
    );
  }
  if (target.url.protocol === 'http:' && !addresses.every(({ address }) => isLoopback(address))) {
    throw new SafeFetchError('scheme', 'The URL must use https.');
  }
  const [first] = addresses;
  if (first === undefined) throw new SafeFetchError('dns', `The host ${target.host} has no addresses.`);
  return first;
}

/**
 * A `lookup` for `http.request` that answers with the address already checked, so the name is not resolved again
 * between the check and the connection. Node calls it with `{ all: true }` when it races address families, and then
 * expects a list.
 */
function pinnedLookup({ address, family }: dns.LookupAddress): net.LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

function errorCode(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return typeof code === 'string' ? code : err.message;
  }
  return String(err);
}

function headerRecord(headers: http.IncomingHttpHeaders): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    record[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return record;
}

/** Rejects with a 'timeout' failure when the signal fires first, so a lookup that cannot be cancelled cannot stall. */
async function beforeDeadline<T>(work: Promise<T>, signal: AbortSignal, timeoutMs: number): Promise<T> {
  let onAbort = (): void => {};
  const expired = new Promise<never>((_, reject) => {
    onAbort = () => reject(new SafeFetchError('timeout', `No answer within ${timeoutMs} ms.`));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** One GET to the pinned address; every failure destroys the request and the response. */
function exchange(target: Target, pinned: dns.LookupAddress, opts: SafeFetchOptions, signal: AbortSignal): Promise<SafeFetchResponse> {
  return new Promise((resolvePromise, rejectPromise) => {
    let request: http.ClientRequest | undefined;
    let response: http.IncomingMessage | undefined;
    let settled = false;
    const expected = canonical(pinned.address);

    const fail = (reason: SafeFetchFailure, message: string): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      response?.destroy();
      request?.destroy();
      rejectPromise(new SafeFetchError(reason, message));
    };
    const onAbort = (): void => fail('timeout', `No answer within ${opts.timeoutMs} ms.`);
    /** Whether the socket reached the checked address; anything else fails the fetch. */
    const reachedPinned = (remote: string | undefined): boolean => {
      if (remote !== undefined && canonical(remote) === expected) return true;
      fail('address', 'The connection did not reach the checked address.');
      return false;
    };

    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });

    const { url } = target;
    const secure = url.protocol === 'https:';
    const options: https.RequestOptions = {
      method: 'GET',
      host: target.host,
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      path: `${url.pathname}${url.search}`,
      headers: { host: url.host, accept: 'application/json', 'user-agent': USER_AGENT },
      lookup: pinnedLookup(pinned),
      // Never a pooled socket: one opened for another request may lead to another address.
      agent: false,
    };
    if (secure) {
      // Explicit, so that NODE_TLS_REJECT_UNAUTHORIZED=0 cannot turn verification off here.
      options.rejectUnauthorized = true;
      // SNI and the certificate check use the name from the URL; SNI must not carry an IP literal (RFC 6066).
      if (!target.literal) options.servername = target.host;
    }

    request = (secure ? https : http).request(options);
    request.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', () => reachedPinned(socket.remoteAddress));
      else reachedPinned(socket.remoteAddress);
    });
    request.on('error', (err) => fail('network', `The document cannot be fetched (${errorCode(err)}).`));
    request.on('close', () => {
      if (response === undefined) fail('network', 'The connection closed before an answer arrived.');
    });
    request.on('response', (res) => {
      response = res;
      res.on('error', (err) => fail('network', `The document cannot be fetched (${errorCode(err)}).`));
      res.on('close', () => fail('network', 'The connection closed before the document was complete.'));
      if (!reachedPinned(res.socket?.remoteAddress)) return;

      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400) return fail('redirect', `The server answered with a redirect (${status}), which is not followed.`);
      if (status !== 200) return fail('status', `The server answered with status ${status}.`);

      const declared = res.headers['content-length'];
      if (declared !== undefined && Number(declared) > opts.maxBytes) {
        return fail('too_large', `The document is larger than ${opts.maxBytes} bytes.`);
      }

      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > opts.maxBytes) return fail('too_large', `The document is larger than ${opts.maxBytes} bytes.`);
        chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        resolvePromise({ status: 200, headers: headerRecord(res.headers), body: Buffer.concat(chunks, size), address: pinned.address });
      });
    });
    request.end();
  });
}

/**
 * Fetches a small document from a URL that someone outside supplied, refusing anything that could reach the server's
 * own host or network. Resolves only for a 200 answer whose body fits `maxBytes`; everything else rejects with a
 * `SafeFetchError` whose `reason` says why.
 */
export async function safeFetch(url: string, opts: SafeFetchOptions): Promise<SafeFetchResponse> {
  if (!(Number.isFinite(opts.maxBytes) && opts.maxBytes >= 0)) throw new RangeError('maxBytes must be a non-negative number.');
  if (!(Number.isFinite(opts.timeoutMs) && opts.timeoutMs > 0)) throw new RangeError('timeoutMs must be a positive number.');
  const allowLoopback = opts.allowLoopback === true;
  const target = parseTarget(url, allowLoopback);

  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), opts.timeoutMs);
  try {
    const addresses = await beforeDeadline(resolve(target), deadline.signal, opts.timeoutMs);
    const pinned = checkAddresses(target, addresses, allowLoopback);
    return await exchange(target, pinned, opts, deadline.signal);
  } finally {
    clearTimeout(timer);
  }
}
