import type http from 'node:http';

/**
 * The client's address, for per-address limits: the socket's peer, or — behind `trustedProxies` proxies you run —
 * the address the outermost of them saw, counted from the right of X-Forwarded-For. Each proxy appends its own peer,
 * so entries further left were written by the client and can be anything: reading the leftmost entry would let one
 * client pose as any number of addresses.
 */
export function clientAddress(req: http.IncomingMessage, trustedProxies: number): string {
  const peer = req.socket?.remoteAddress ?? 'unknown';
  if (trustedProxies <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return hops[Math.max(0, hops.length - trustedProxies)]?.slice(0, 100) ?? peer;
}
