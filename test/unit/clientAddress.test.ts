import { test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { clientAddress } from '../../src/platform/http/clientAddress.ts';
import { loadConfig } from '../../src/platform/config.ts';

const req = (xff?: string | string[], peer = '10.0.0.5') =>
  ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as http.IncomingMessage;

test('without trusted proxies the socket peer is the client, whatever X-Forwarded-For says', () => {
  assert.equal(clientAddress(req(), 0), '10.0.0.5');
  assert.equal(clientAddress(req('203.0.113.7'), 0), '10.0.0.5');
});

test('behind one proxy: the entry that proxy appended (the rightmost), never what the client wrote to its left', () => {
  assert.equal(clientAddress(req('203.0.113.7'), 1), '203.0.113.7');
  assert.equal(clientAddress(req('198.18.0.1, 203.0.113.7'), 1), '203.0.113.7', 'a spoofed left entry is ignored');
  assert.equal(clientAddress(req(['198.18.0.1', '203.0.113.7']), 1), '203.0.113.7', 'repeated headers are one list');
  assert.equal(clientAddress(req(), 1), '10.0.0.5', 'no header: the peer');
  assert.equal(clientAddress(req(' , '), 1), '10.0.0.5', 'an empty list: the peer');
});

test('behind two proxies (CDN → load balancer): the address the CDN saw', () => {
  assert.equal(clientAddress(req('198.18.0.1, 203.0.113.7, 192.0.2.10'), 2), '203.0.113.7');
  assert.equal(clientAddress(req('203.0.113.7'), 2), '203.0.113.7', 'a request that skipped a proxy: the leftmost there is');
});

test('TRUST_PROXY is a count of proxies (0 by default), and anything else is a configuration error', () => {
  assert.equal(loadConfig({}).trustProxy, 0);
  assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1);
  assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
  assert.throws(() => loadConfig({ TRUST_PROXY: 'yes' }), /TRUST_PROXY/);
  assert.throws(() => loadConfig({ TRUST_PROXY: '-1' }), /TRUST_PROXY/);
});
