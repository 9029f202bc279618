import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import dns from 'node:dns';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { isSpecialUseAddress, SafeFetchError, type SafeFetchFailure, type SafeFetchOptions, safeFetch } from '../../src/platform/http/safeFetch.ts';

const LIMITS: SafeFetchOptions = { maxBytes: 5120, timeoutMs: 5000 };
const LOOPBACK: SafeFetchOptions = { ...LIMITS, allowLoopback: true };

interface LocalServer {
  port: number;
  /** Every request the server saw, in order. */
  requests: http.IncomingMessage[];
  /** How many TCP connections reached the server. */
  connections: () => number;
}

/** A real HTTP server on a loopback address and a free port, closed when the test ends. */
async function serve(t: { after: (fn: () => Promise<void>) => void }, handler: http.RequestListener, host = '127.0.0.1'): Promise<LocalServer> {
  const requests: http.IncomingMessage[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { port: (server.address() as AddressInfo).port, requests, connections: () => connections };
}

/** Asserts that the fetch rejects with a SafeFetchError for the given reason, and returns that error. */
async function refused(promise: Promise<unknown>, reason: SafeFetchFailure): Promise<SafeFetchError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof SafeFetchError, `expected a SafeFetchError, got ${String(err)}`);
    assert.equal(err.reason, reason, `expected '${reason}', got '${err.reason}': ${err.message}`);
    return err;
  }
  assert.fail(`expected a '${reason}' failure, but the fetch succeeded`);
}

const DOCUMENT = JSON.stringify({ client_id: 'https://app.example/client.json', client_name: 'Example' });

test('a 200 JSON document on loopback is fetched with allowLoopback: body, lower-cased headers, the address', async (t) => {
  const server = await serve(t, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'X-Document-Version': '7' });
    res.end(DOCUMENT);
  });
  const result = await safeFetch(`http://127.0.0.1:${server.port}/client.json?v=1`, LOOPBACK);
  assert.equal(result.status, 200);
  assert.equal(result.body.toString('utf8'), DOCUMENT);
  assert.equal(result.headers['content-type'], 'application/json');
  assert.equal(result.headers['x-document-version'], '7');
  assert.ok(Object.keys(result.headers).every((name) => name === name.toLowerCase()));
  assert.equal(result.address, '127.0.0.1');

  const [req] = server.requests;
  assert.ok(req);
  assert.equal(req.method, 'GET');
  assert.equal(req.url, '/client.json?v=1');
  assert.equal(req.headers.accept, 'application/json');
  assert.equal(req.headers['user-agent'], 'Taskline (+client metadata fetch)');
  assert.equal(req.headers.host, `127.0.0.1:${server.port}`);
  assert.equal(req.headers.cookie, undefined);
});

test('a host name is fetched through the pinned lookup', async (t) => {
  const [first] = await dns.promises.lookup('localhost', { all: true, verbatim: true });
  assert.ok(first, 'localhost resolves');
  const server = await serve(t, (_req, res) => res.end(DOCUMENT), first.address);
  const result = await safeFetch(`http://localhost:${server.port}/client.json`, LOOPBACK);
  assert.equal(result.address, first.address);
  assert.equal(result.body.toString('utf8'), DOCUMENT);
  assert.equal(server.requests[0]?.headers.host, `localhost:${server.port}`);
});

/**
 * Makes `dns.promises.lookup` answer with the given addresses until the test ends; `answer` changes the addresses
 * given from then on.
 */
function fakeDns(t: { after: (fn: () => void) => void }, addresses: string[]) {
  let current = addresses;
  const lookup = mock.method(dns.promises, 'lookup', async () => current.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  t.after(() => lookup.mock.restore());
  return {
    lookup,
    answer: (next: string[]) => {
      current = next;
    },
  };
}

test('an IPv6 loopback literal is fetched with allowLoopback', async (t) => {
  const server = await serve(t, (_req, res) => res.end(DOCUMENT), '::1').catch(() => undefined);
  if (server === undefined) return t.skip('no IPv6 loopback here');
  const result = await safeFetch(`http://[::1]:${server.port}/client.json`, LOOPBACK);
  assert.equal(result.address, '::1');
  assert.equal(result.body.toString('utf8'), DOCUMENT);
  assert.equal(server.requests[0]?.headers.host, `[::1]:${server.port}`);
});

test('the connection goes to the address that was checked, without a second lookup', async (t) => {
  const server = await serve(t, (_req, res) => res.end(DOCUMENT));
  // The system resolver knows nothing of this name: the fetch can only succeed on the checked answer.
  const { lookup } = fakeDns(t, ['127.0.0.1']);
  const result = await safeFetch(`http://metadata.rebind.test:${server.port}/client.json`, LOOPBACK);
  assert.equal(result.address, '127.0.0.1');
  assert.equal(server.requests[0]?.headers.host, `metadata.rebind.test:${server.port}`);
  assert.equal(lookup.mock.callCount(), 1);
  assert.deepEqual(lookup.mock.calls[0]?.arguments, ['metadata.rebind.test', { all: true, verbatim: true }]);
});

test('one special-use address among the answers refuses the host', async (t) => {
  const server = await serve(t, (_req, res) => res.end(DOCUMENT));
  const dnsAnswers = fakeDns(t, ['127.0.0.1', '10.0.0.1']);
  await refused(safeFetch(`http://mixed.rebind.test:${server.port}/client.json`, LOOPBACK), 'address');
  dnsAnswers.answer(['8.8.8.8', '::ffff:192.168.0.1']);
  await refused(safeFetch(`https://mixed.rebind.test:${server.port}/client.json`, LOOPBACK), 'address');
  // Plain http, even with allowLoopback, needs every answer to be loopback.
  dnsAnswers.answer(['127.0.0.1', '8.8.8.8']);
  await refused(safeFetch(`http://mixed.rebind.test:${server.port}/client.json`, LOOPBACK), 'scheme');
  assert.equal(server.connections(), 0, 'nothing connected');
});

test('loopback is refused without allowLoopback, before any connection', async (t) => {
  const server = await serve(t, (_req, res) => res.end(DOCUMENT));
  // Plain http is refused for its scheme before the host is even looked at.
  await refused(safeFetch(`http://127.0.0.1:${server.port}/client.json`, LIMITS), 'scheme');
  await refused(safeFetch(`http://localhost:${server.port}/client.json`, LIMITS), 'scheme');
  // Over https the scheme is fine and the address is what is refused, for a literal and for a name alike.
  await refused(safeFetch(`https://127.0.0.1:${server.port}/client.json`, LIMITS), 'address');
  await refused(safeFetch(`https://localhost:${server.port}/client.json`, LIMITS), 'address');
  await refused(safeFetch(`https://[::ffff:127.0.0.1]:${server.port}/client.json`, LIMITS), 'address');
  await refused(safeFetch(`https://[::1]:${server.port}/client.json`, LIMITS), 'address');
  assert.equal(server.connections(), 0, 'nothing connected');
});

test('special-use literals are refused as addresses, before any connection', async () => {
  // With a short deadline, an attempted connection would end as 'timeout' or 'network'; 'address' means none was made.
  const quick: SafeFetchOptions = { maxBytes: 5120, timeoutMs: 200 };
  for (const host of [
    '10.0.0.1',
    '169.254.169.254',
    '192.168.1.1',
    '100.64.0.1',
    '[fd00::1]',
    '[fe80::1]',
    '[::ffff:10.0.0.1]',
    '[::ffff:127.0.0.1]',
    '0.0.0.0',
  ]) {
    const err = await refused(safeFetch(`https://${host}/client.json`, quick), 'address');
    assert.match(err.message, /special-use/, host);
  }
  // allowLoopback opens loopback only: everything else stays refused, over http and https.
  for (const host of ['10.0.0.1', '169.254.169.254', '[fd00::1]', '[::ffff:10.0.0.1]', '0.0.0.0', '[::]']) {
    await refused(safeFetch(`https://${host}/client.json`, { ...quick, allowLoopback: true }), 'address');
    await refused(safeFetch(`http://${host}/client.json`, { ...quick, allowLoopback: true }), 'address');
  }
  // Other spellings of an address are normalised by the URL parser before the check.
  await refused(safeFetch('https://0x7f.1/client.json', quick), 'address');
  await refused(safeFetch('https://2130706433/client.json', quick), 'address');
  await refused(safeFetch('https://[0:0:0:0:0:ffff:a9fe:a9fe]/client.json', quick), 'address');
});

test('with allowLoopback, plain http still needs every address to be loopback', async () => {
  await refused(safeFetch('http://8.8.8.8/client.json', { maxBytes: 5120, timeoutMs: 200, allowLoopback: true }), 'scheme');
});

test('isSpecialUseAddress follows the special-use ranges, IPv4-mapped IPv6 judged as IPv4', () => {
  const special = [
    '0.0.0.0',
    '0.1.2.3',
    '10.0.0.1',
    '100.64.0.1',
    '100.127.255.255',
    '127.0.0.1',
    '127.255.255.254',
    '169.254.169.254',
    '172.16.0.1',
    '172.31.255.255',
    '192.0.0.8',
    '192.0.2.1',
    '192.31.196.1',
    '192.52.193.1',
    '192.88.99.1',
    '192.168.1.1',
    '192.175.48.1',
    '198.18.0.1',
    '198.19.255.255',
    '198.51.100.7',
    '203.0.113.9',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    '::127.0.0.1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a00:1',
    '64:ff9b::8.8.8.8',
    '64:ff9b:1::1',
    '100::1',
    '2001::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    '2001:db8::1',
    '2002:c0a8:101::1',
    '3fff::1',
    '5f00::1',
    'fc00::1',
    'fd00::1',
    'fe80::1',
    'febf::1',
    'fec0::1',
    'ff02::1',
  ];
  for (const ip of special) assert.equal(isSpecialUseAddress(ip), true, ip);

  const ordinary = [
    '8.8.8.8',
    '1.1.1.1',
    '9.255.255.255',
    '11.0.0.1',
    '100.63.255.255',
    '100.128.0.0',
    '126.255.255.255',
    '128.0.0.1',
    '169.253.255.255',
    '172.15.255.255',
    '172.32.0.0',
    '192.0.1.1',
    '192.167.255.255',
    '192.169.0.0',
    '198.17.255.255',
    '198.20.0.0',
    '223.255.255.255',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
    '2606:4700::1111',
    '2001:4860:4860::8888',
    '2a00:1450:4001::1',
  ];
  for (const ip of ordinary) assert.equal(isSpecialUseAddress(ip), false, ip);

  // What is not a plain IP address is refused rather than guessed at.
  for (const odd of ['', 'localhost', '10.0.0', '1.2.3.4.5', 'fe80::1%eth0', '2606:4700::1111%1', '[::1]']) {
    assert.equal(isSpecialUseAddress(odd), true, JSON.stringify(odd));
  }
});

test('URLs with userinfo, fragments or that do not parse are refused', async () => {
  await refused(safeFetch('https://user:secret@example.com/client.json', LIMITS), 'url');
  await refused(safeFetch('https://user@example.com/client.json', LIMITS), 'url');
  await refused(safeFetch('https://example.com/client.json#part', LIMITS), 'url');
  await refused(safeFetch('https://example.com/client.json#', LIMITS), 'url');
  await refused(safeFetch('not a url', LIMITS), 'url');
  await refused(safeFetch('https://[::1/client.json', LIMITS), 'url');
  await refused(safeFetch('https://exa mple.com/', LIMITS), 'url');
});

test('schemes other than https are refused', async () => {
  await refused(safeFetch('ftp://example.com/client.json', LIMITS), 'scheme');
  await refused(safeFetch('http://example.com/client.json', LIMITS), 'scheme');
  await refused(safeFetch('file:///etc/passwd', LIMITS), 'scheme');
  await refused(safeFetch('data:application/json,{}', LIMITS), 'scheme');
});

test('a body past maxBytes fails as too large, with or without Content-Length', async (t) => {
  const body = Buffer.alloc(6 * 1024, 'x');
  const server = await serve(t, (req, res) => {
    if (req.url === '/declared') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(body.length) });
      res.end(body);
      return;
    }
    if (req.url === '/exact') {
      res.end(body.subarray(0, 5120));
      return;
    }
    // No Content-Length: chunked, in pieces, so that the limit is crossed while reading.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    for (let offset = 0; offset < body.length; offset += 1024) res.write(body.subarray(offset, offset + 1024));
    res.end();
  });
  const base = `http://127.0.0.1:${server.port}`;
  await refused(safeFetch(`${base}/declared`, LOOPBACK), 'too_large');
  await refused(safeFetch(`${base}/chunked`, LOOPBACK), 'too_large');
  assert.equal(server.requests[1]?.url, '/chunked');
  const exact = await safeFetch(`${base}/exact`, LOOPBACK);
  assert.equal(exact.body.length, 5120, 'a body of exactly maxBytes is accepted');
});

test('a server that never answers fails as a timeout', async (t) => {
  const server = await serve(t, () => {
    // Accept the request and say nothing.
  });
  await refused(safeFetch(`http://127.0.0.1:${server.port}/client.json`, { maxBytes: 5120, timeoutMs: 300, allowLoopback: true }), 'timeout');
});

test('a server that stops halfway through the body fails as a timeout', async (t) => {
  const server = await serve(t, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"client_id":');
  });
  await refused(safeFetch(`http://127.0.0.1:${server.port}/client.json`, { maxBytes: 5120, timeoutMs: 300, allowLoopback: true }), 'timeout');
});

test('redirects are not followed, and statuses other than 200 fail without quoting the body', async (t) => {
  const server = await serve(t, (req, res) => {
    if (req.url === '/moved') {
      res.writeHead(302, { Location: '/client.json' });
      res.end('secret redirect body');
      return;
    }
    if (req.url === '/client.json') {
      res.end(DOCUMENT);
      return;
    }
    res.writeHead(req.url === '/broken' ? 500 : 404, { 'Content-Type': 'text/plain' });
    res.end('secret error body');
  });
  const base = `http://127.0.0.1:${server.port}`;

  const redirect = await refused(safeFetch(`${base}/moved`, LOOPBACK), 'redirect');
  assert.match(redirect.message, /302/);
  assert.doesNotMatch(redirect.message, /secret/);
  assert.deepEqual(
    server.requests.map((r) => r.url),
    ['/moved'],
    'the redirect target was never requested',
  );

  const missing = await refused(safeFetch(`${base}/missing`, LOOPBACK), 'status');
  assert.match(missing.message, /404/);
  assert.doesNotMatch(missing.message, /secret/);

  const broken = await refused(safeFetch(`${base}/broken`, LOOPBACK), 'status');
  assert.match(broken.message, /500/);
  assert.doesNotMatch(broken.message, /secret/);
});

test('a name that does not resolve fails as dns', async () => {
  await refused(safeFetch('https://does-not-exist.invalid/x', LIMITS), 'dns');
});

test('a refused connection fails as network', async () => {
  // A port that was free a moment ago: nothing listens there now, so the connection is refused.
  const port = await new Promise<number>((resolve) => {
    const probe = http.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const free = (probe.address() as AddressInfo).port;
      probe.close(() => resolve(free));
    });
  });
  await refused(safeFetch(`http://127.0.0.1:${port}/client.json`, LOOPBACK), 'network');
});

/** A self-signed certificate for "localhost", made with the openssl command (Debian's openssl package). */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'safefetch-'));
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('https verifies the certificate against the name in the URL, sent as SNI', async (t) => {
  const certificate = selfSignedCertificate();
  const names: string[] = [];
  const server = tls.createServer({
    ...certificate,
    SNICallback: (name, callback) => {
      names.push(name);
      callback(null, tls.createSecureContext(certificate));
    },
  });
  server.on('tlsClientError', () => {
    // The client walks away from the untrusted certificate; that is the point.
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const { port } = server.address() as AddressInfo;

  const err = await refused(safeFetch(`https://localhost:${port}/client.json`, LOOPBACK), 'network');
  assert.match(err.message, /SELF_SIGNED|self[- ]signed/i);
  assert.deepEqual(names, ['localhost'], 'SNI carries the host name, though the connection went to the pinned address');

  await refused(safeFetch(`https://127.0.0.1:${port}/client.json`, LOOPBACK), 'network');
  assert.deepEqual(names, ['localhost'], 'no SNI for an IP literal');
});
