import assert from 'node:assert/strict';
import test from 'node:test';
import client from 'prom-client';
import { FastCounter, FastHistogram } from '../../src/platform/metrics.ts';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The same observations through prom-client's own Counter/Histogram and through the fast ones: the same exposition. */
test('FastCounter and FastHistogram expose exactly what prom-client would for the same observations, across scrapes', async () => {
  const plain = new client.Registry();
  const fast = new client.Registry();
  const pc = new client.Counter({ name: 'c_total', help: 'c', labelNames: ['route', 'method', 'status'], registers: [plain] });
  const ph = new client.Histogram({ name: 'h_seconds', help: 'h', labelNames: ['route', 'method'], buckets: BUCKETS, registers: [plain] });
  const fc = new FastCounter({ name: 'c_total', help: 'c', labelNames: ['route', 'method', 'status'] as const, registers: [fast] });
  const fh = new FastHistogram({ name: 'h_seconds', help: 'h', labelNames: ['route', 'method'] as const, buckets: BUCKETS, registers: [fast] });
  // Values on and between bounds, below the first, above the last (only +Inf); the fast ones print labels in the
  // declared order whatever order a caller writes them in (the call sites write them in that order).
  const values = [0, 0.001, 0.0011, 0.0025, 0.003, 0.07, 0.5, 2.5, 2.6, 17, 0.000_2];
  const routes = ['/app/api/mcp/server/:workspaceId', '/healthz', 'web'];
  const round = (k: number) => {
    for (let i = 0; i < 40; i++) {
      const route = routes[(i + k) % routes.length]!;
      const method = i % 3 ? 'POST' : 'GET';
      const status = i % 5 ? 200 : 404;
      const v = values[(i * 7 + k) % values.length]!;
      pc.inc({ route, method, status });
      fc.inc({ status, method, route });
      ph.observe({ route, method }, v);
      fh.observe({ method, route }, v);
    }
  };
  round(0);
  assert.equal(await fast.metrics(), await plain.metrics());
  // Counts between two scrapes add to what the first one showed.
  round(1);
  round(2);
  const text = await fast.metrics();
  assert.equal(text, await plain.metrics());
  assert.match(text, /h_seconds_bucket\{le="\+Inf",route="web",method="POST"\} \d+/);
  // Reading twice without new observations changes nothing.
  assert.equal(await fast.metrics(), text);
});

test('FastHistogram refuses a value that is not a finite number, as prom-client does', () => {
  const fh = new FastHistogram({ name: 'x_seconds', help: 'x', labelNames: ['tool'] as const, buckets: [1], registers: [new client.Registry()] });
  assert.throws(() => fh.observe({ tool: 't' }, Number.NaN), TypeError);
});
