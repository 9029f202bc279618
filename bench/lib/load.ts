/** One autocannon run against a target, in this process (which the harness pins to the other core). */
import autocannon from 'autocannon';

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
  seconds: number;
}

/** A response counts as failed when it is a JSON-RPC error or a tool result with isError. */
export function responseOk(body: string): boolean {
  return !body.includes('"isError":true') && !body.includes('"error":{');
}

/**
 * The requests are built once (autocannon rebuilds a request per send when setupRequest is used, which costs the
 * load generator ~25% of its throughput); every connection cycles through them in order.
 */
export async function runLoad(t: Target, opts: { connections: number; seconds: number }): Promise<LoadResult> {
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
  const r = await autocannon({
    url: `http://127.0.0.1:${t.port}`,
    connections: opts.connections,
    duration: opts.seconds,
    timeout: 10,
    requests: t.bodies.map((body) => ({ method: 'POST', path: t.path, headers: t.headers, body, onResponse })),
  });
  const seconds = (performance.now() - started) / 1000;
  const completed = r['2xx'] + r.non2xx;
  return {
    reqPerSec: completed / r.duration,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
    requests: completed,
    ok,
    non2xx: r.non2xx,
    isError,
    firstFailure,
    errors: r.errors,
    timeouts: r.timeouts,
    seconds,
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
