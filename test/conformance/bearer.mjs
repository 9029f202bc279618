/**
 * TEST-ONLY preload for the conformance suite's process (NODE_OPTIONS=--import …): the suite cannot send an
 * Authorization header (modelcontextprotocol/conformance#453), so this adds `Authorization: Bearer $CONFORMANCE_TOKEN`
 * to every HTTP request the process makes to $CONFORMANCE_ORIGIN — and changes nothing else: Host, Origin and the
 * MCP headers reach the server exactly as the suite wrote them. It wraps undici's global dispatcher, which both
 * Node's fetch and the suite's own `undici.request` use, and node:http's request (the header-validation scenario
 * sends raw requests). Never part of the product.
 */
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
const token = process.env.CONFORMANCE_TOKEN;
const origin = process.env.CONFORMANCE_ORIGIN;
if (!token || !origin) throw new Error('bearer.mjs: set CONFORMANCE_TOKEN and CONFORMANCE_ORIGIN');

const KEY = Symbol.for('undici.globalDispatcher.1');
await fetch('data:,'); // the first fetch loads Node's undici, which installs the default global dispatcher
const inner = globalThis[KEY];
if (!inner || typeof inner.dispatch !== 'function') throw new Error('bearer.mjs: no undici global dispatcher to wrap');

function withAuth(headers) {
  if (headers == null) return { authorization: `Bearer ${token}` };
  if (Array.isArray(headers)) {
    const out = [];
    for (let i = 0; i < headers.length; i += 2) if (String(headers[i]).toLowerCase() !== 'authorization') out.push(headers[i], headers[i + 1]);
    return [...out, 'authorization', `Bearer ${token}`];
  }
  if (typeof headers[Symbol.iterator] === 'function') return withAuth([...headers].flat());
  const out = {};
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() !== 'authorization') out[k] = v;
  return { ...out, authorization: `Bearer ${token}` };
}

globalThis[KEY] = new Proxy(inner, {
  get(target, prop) {
    if (prop === 'dispatch')
      return (opts, handler) =>
        target.dispatch(String(opts.origin).replace(/\/$/, '') === origin ? { ...opts, headers: withAuth(opts.headers) } : opts, handler);
    const v = Reflect.get(target, prop, target);
    return typeof v === 'function' ? v.bind(target) : v;
  },
});

// node:http: request(options[, cb]) and request(url[, options][, cb]) to the origin get the header too.
const target = new URL(origin);
const toTarget = (o) => (o.hostname ?? o.host) === target.hostname && String(o.port ?? '') === target.port;
const original = http.request;
http.request = function request(...args) {
  const [a, b] = args;
  if (typeof a === 'object' && !(a instanceof URL) && a !== null && toTarget(a)) args[0] = { ...a, headers: withAuth(a.headers) };
  else if ((typeof a === 'string' || a instanceof URL) && new URL(a).origin === origin) {
    if (typeof b === 'object' && b !== null) args[1] = { ...b, headers: withAuth(b.headers) };
    else args.splice(1, 0, { headers: withAuth(undefined) });
  }
  return original.apply(this, args);
};
syncBuiltinESMExports();
