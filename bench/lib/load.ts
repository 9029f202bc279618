/** One autocannon run against a target, in this process (which the harness pins to the other core). */
import autocannon from 'autocannon';
import { percentile, round } from './stats.ts';

export interface Target {
  name: string;
  port: number;
  path: string;
  headers: Record<string, string>;
  /** Request bodies; each connection sends them in order, round and round. */
  bodies: string[];
}

export interface LoadResult {
  reqPerSec: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  requests: number;
  ok: number;
  non2xx: number;
  /** 2xx responses whose body was a JSON-RPC error or an isError tool result. */
  isError: number;
  /** Status and start of the first failed response, for diagnosis. */
  firstFailure?: string;
  errors: number;
  timeouts: number;
  /** Wall time of the run, request building included. */
  seconds: number;
  /** Seconds of the load window the rate is counted over. */
  window: number;
}

/** A run with its latencies (ms, sorted), so runs can be merged (mergeLoads). */
export interface LoadRun extends LoadResult {
  latencies: number[];
}

/** A response counts as failed when it is a JSON-RPC error or a tool result with isError. */
export function responseOk(body: string): boolean {
  return !body.includes('"isError":true') && !body.includes('"error":{');
}

/**
 * The requests are built once (autocannon rebuilds a request per send when setupRequest is used, which costs the
 * load generator ~25% of its throughput); every connection cycles through them in order.
 *
 * Timing is taken from autocannon's events, not its summary: autocannon starts its clock, then builds every
 * connection's requests (50 connections × 5,000 bodies took ~2–4 s of the load generator's core) before the first
 * byte is sent, and counts that time in its duration; and each connection's first request is timed from when it was
 * built. So the rate is counted over the load window only (from its "start" event, emitted once every connection is
 * built, to the end), and the latencies leave out each connection's first response.
 */
export async function runLoad(t: Target, opts: { connections: number; seconds: number }): Promise<LoadRun> {
  let ok = 0;
  let isError = 0;
  let firstFailure: string | undefined;
  const onResponse = (status: number, body: string) => {
    if (status >= 200 && status < 300 && responseOk(body)) ok++;
    else {
      if (status >= 200 && status < 300) isError++;
      firstFailure ??= `${status} ${body.slice(0, 300)}`;
    }
  };
  const started = performance.now();
  const run = autocannon({
    url: `http://127.0.0.1:${t.port}`,
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 10,
    requests: t.bodies.map((body) => ({ method: 'POST', path: t.path, headers: t.headers, body, onResponse })),
  });
  let loadStart = started;
  run.on('start', () => {
    loadStart = performance.now();
  });
  const answered = new WeakSet<object>();
  const latencies: number[] = [];
  run.on('response', (client: object, _status: number, _bytes: number, ms: number) => {
    if (answered.has(client)) latencies.push(ms);
    else answered.add(client);
  });
  const r = await run;
  const ended = performance.now();
  const completed = r['2xx'] + r.non2xx;
  latencies.sort((a, b) => a - b);
  const window = (ended - loadStart) / 1000;
  return {
    ...summary(latencies, completed, window),
    ok,
    non2xx: r.non2xx,
    isError,
    firstFailure,
    errors: r.errors,
    timeouts: r.timeouts,
    seconds: (ended - started) / 1000,
    window,
    latencies,
  };
}

function summary(sorted: number[], requests: number, window: number) {
  return {
    reqPerSec: window > 0 ? requests / window : 0,
    p50: round(percentile(sorted, 50), 1),
    p90: round(percentile(sorted, 90), 1),
    p99: round(percentile(sorted, 99), 1),
    max: round(sorted[sorted.length - 1] ?? Number.NaN, 1),
    requests,
  };
}

/** Several runs against one target as one: requests over the sum of their load windows, percentiles of all latencies. */
export function mergeLoads(runs: LoadRun[]): LoadResult {
  const sum = (f: (r: LoadRun) => number) => runs.reduce((a, r) => a + f(r), 0);
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return {
    ...summary(
      latencies,
      sum((r) => r.requests),
      sum((r) => r.window),
    ),
    ok: sum((r) => r.ok),
    non2xx: sum((r) => r.non2xx),
    isError: sum((r) => r.isError),
    firstFailure: runs.find((r) => r.firstFailure)?.firstFailure,
    errors: sum((r) => r.errors),
    timeouts: sum((r) => r.timeouts),
    seconds: sum((r) => r.seconds),
    window: sum((r) => r.window),
  };
}

/** One request, to check a target answers as expected before loading it. */
export async function probe(t: Target): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${t.port}${t.path}`, {
    method: 'POST',
    headers: t.headers,
    body: t.bodies[0],
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.text() };
}
