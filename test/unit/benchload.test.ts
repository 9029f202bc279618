import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeCpu } from '../../bench/lib/cpu.ts';
import { mergeLoads, type LoadRun } from '../../bench/lib/load.ts';

const run = (latencies: number[], window: number, extra: Partial<LoadRun> = {}): LoadRun => ({
  reqPerSec: latencies.length / window,
  p50: 0,
  p90: 0,
  p99: 0,
  max: 0,
  requests: latencies.length,
  ok: latencies.length,
  non2xx: 0,
  isError: 0,
  errors: 0,
  timeouts: 0,
  seconds: window + 0.5,
  window,
  latencies: [...latencies].sort((a, b) => a - b),
  ...extra,
});

test('B1 slices merge: the rate over the summed load windows, percentiles over every latency', () => {
  // 100 fast requests in 1 s, then 100 slow ones in 4 s: 200 over 5 s, and the slow half sets the upper percentiles.
  const fast = run(
    Array.from({ length: 100 }, (_, i) => 1 + i / 100),
    1,
  );
  const slow = run(
    Array.from({ length: 100 }, (_, i) => 10 + i),
    4,
    { non2xx: 3, firstFailure: '500 boom', errors: 1 },
  );
  const m = mergeLoads([fast, slow]);
  assert.equal(m.requests, 200);
  assert.equal(m.window, 5);
  assert.equal(m.reqPerSec, 40);
  assert.equal(m.p50, 2); // the 100th of 200 sorted latencies: the slowest fast one (1.99 → 2.0)
  assert.equal(m.p99, 107); // nearest rank: the 198th of 200
  assert.equal(m.max, 109);
  assert.equal(m.non2xx, 3);
  assert.equal(m.errors, 1);
  assert.equal(m.firstFailure, '500 boom');
});

test('B1 slices merge: CPU shares weighted by seconds; unknown when any slice is unknown', () => {
  const a = { foreign: 10, server: 50, postgres: 40, postgresBench: 30, bench: 20, seconds: 1 };
  const b = { foreign: 0, server: 100, postgres: 80, postgresBench: 60, bench: 40, seconds: 3 };
  assert.deepEqual(mergeCpu([a, b]), { foreign: 3, server: 88, postgres: 70, postgresBench: 53, bench: 35, seconds: 4 });
  assert.equal(mergeCpu([a, null]), null);
  assert.equal(mergeCpu([]), null);
});
