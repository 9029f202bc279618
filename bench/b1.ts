/**
 * B1: throughput of one Node process on one core (taskset -c 0) under 50 connections from autocannon in this
 * process (pinned to core 1), all servers started here:
 *   a         raw node:http, fixed small JSON                          — the ceiling for one Node process
 *   a-db      raw node:http + the SQL of Taskline's getTaskDetails     — the ceiling for our workload
 *   b         the SDK docs' stateless pattern (server + transport per request), one in-memory tool
 *   c         Taskline (src/app/main.ts), authenticated tools/call getTaskDetails, random tasks of the workspace
 *   c-search  Taskline, tools/call searchWorkspaceTasks, a mix of the B2 query classes
 *   c-modern  Taskline, the same getTaskDetails calls as c in the MCP 2026-07-28 form (per-request _meta, Mcp-* headers)
 * Rounds are interleaved (a, a-db, b, c, c-search, c-modern, a, …) so that drift on a shared machine hits all alike.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PgSettings } from './lib/pgcluster.ts';
import { DATA_DIR, openDataset, type Dataset } from './lib/datasets.ts';
import { mergeLoads, probe, responseOk, runLoad, type LoadResult, type LoadRun, type Target } from './lib/load.ts';
import { summarizeProfile, type ProfileSummary } from './lib/cpuprofile.ts';
import pg from 'pg';
import { cpuMark, cpuUse, mergeCpu, waitQuiet, type CpuUse } from './lib/cpu.ts';
import { hasTaskset, pinSelf, startServer, type Child } from './lib/procs.ts';
import { sampleQueries, shuffled } from './lib/queries.ts';
import { median, rng, round } from './lib/stats.ts';
import { mintBenchToken } from './lib/taskline.ts';

export interface B1Options {
  ds: Dataset;
  connections: number;
  warmupSeconds: number;
  rounds: number;
  roundSeconds: number;
  profile: boolean;
  /** Wait up to this many seconds for other processes to go quiet before the rounds (0: don't). */
  waitQuietSeconds: number;
  /** Run only these targets (the sized run: a-db and c-search); all of them when absent. Ratios without both sides are null. */
  only?: string[];
  log: (m: string) => void;
}

export interface RoundResult extends LoadResult {
  cpu: CpuUse | null;
}

export interface TargetResult {
  name: string;
  what: string;
  rounds: RoundResult[];
  /** Median over rounds. */
  reqPerSec: number;
  p50: number;
  p99: number;
  requests: number;
  /** Mean CPU (% of one core) used by processes other than the bench, its servers and postgres during the rounds. */
  foreignCpu: number | null;
  /** Medians over rounds: the server's core use (%), its CPU and PostgreSQL's CPU per request (µs), statements per request. */
  serverCpuPct: number | null;
  serverUsPerRequest: number | null;
  /** PostgreSQL: the bench database's backends only (% of one core, and µs per request). */
  postgresCpuPct: number | null;
  postgresUsPerRequest: number | null;
  /** The harness process running autocannon (% of one core): near 100% means the load generator was the limit. */
  loadGeneratorCpuPct: number | null;
  /** Transactions (each autocommit statement is one) per request in pg_stat_database over the warm-up; approximate. */
  statementsPerRequest: number | null;
  failed: { non2xx: number; isError: number; errors: number; timeouts: number };
  firstFailure?: string;
}

export interface B1Result {
  dataset: string;
  /** PostgreSQL settings during the run (set by the caller). */
  settings?: PgSettings;
  connections: number;
  rounds: number;
  roundSeconds: number;
  /** Length of a round's slices (absent in results written before rounds were sliced). */
  sliceSeconds?: number;
  warmupSeconds: number;
  pinned: boolean;
  targets: TargetResult[];
  ratios: {
    cOverAdb: number | null;
    cOverB: number | null;
    cOverA: number | null;
    searchOverAdb: number | null;
    searchOverA: number | null;
    modernOverAdb: number | null;
  };
  toolsListBytes: number | null;
  /** 1-minute load average before the warm-up and after each round (other work on the machine shows here). */
  loadAvg: number[];
  profiles: { target: string; summary: ProfileSummary }[];
}

const WHAT: Record<string, string> = {
  a: 'raw node:http, fixed JSON',
  'a-db': 'raw node:http + the SQL of getTaskDetails (token check through the same cache, task detail, group-committed audit row)',
  b: 'SDK docs pattern (McpServer + transport per request), in-memory tool',
  c: 'Taskline tools/call getTaskDetails',
  'c-search': 'Taskline tools/call searchWorkspaceTasks (mixed classes)',
  'c-modern': 'Taskline tools/call getTaskDetails as MCP 2026-07-28 (per-request _meta, Mcp-Method/Mcp-Name headers)',
};

const NODE = ['--import', 'tsx'];
/** Length of one slice of a round (see the round loop). */
const SLICE_SECONDS = 2;

function tasklineEnv(ds: Dataset): Record<string, string> {
  return {
    DATABASE_URL: ds.databaseUrl!,
    TASKLINE_DEMO: '0',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PUBLIC_URL: '',
    ALLOWED_HOSTS: '',
    ALLOWED_ORIGINS: '',
    // One bench credential makes every call: lift the per-credential tool-call limit (600/min by default) out of
    // the way; the limiter's bookkeeping still runs.
    RATE_LIMIT_TOOL_CALLS: '1000000000',
  };
}

/** How to start each server (profiled or not). */
function serverSpec(
  name: string,
  ds: Dataset,
): { name: string; nodeArgs: string[]; env?: Record<string, string>; ready: { line: true } | { path: string } } {
  switch (name) {
    case 'a':
      return { name, nodeArgs: [...NODE, 'bench/servers/raw.ts'], ready: { line: true } };
    case 'a-db':
      return { name, nodeArgs: [...NODE, 'bench/servers/raw-db.ts'], env: { DATABASE_URL: ds.databaseUrl! }, ready: { line: true } };
    case 'b':
      return { name, nodeArgs: [...NODE, 'bench/servers/sdk-reference.ts'], ready: { line: true } };
    default:
      return { name, nodeArgs: [...NODE, 'src/app/main.ts'], env: tasklineEnv(ds), ready: { path: '/readyz' } };
  }
}

function medianOf(xs: (number | null | undefined)[], digits = 0): number | null {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length ? round(median(v), digits) : null;
}

async function check(t: Target): Promise<void> {
  const r = await probe(t);
  if (r.status !== 200 || !responseOk(r.body)) throw new Error(`${t.name} answered the probe request with ${r.status}: ${r.body.slice(0, 400)}`);
}

export async function runB1(o: B1Options): Promise<B1Result> {
  const { ds, log } = o;
  const db = await openDataset(ds, 2);
  let token: string;
  let searchBodies: string[];
  try {
    token = await mintBenchToken(db, ds.workspaceId);
    const qs = shuffled(await sampleQueries(db, ds, 100, 11), 5);
    searchBodies = qs.map((q, i) =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: i + 1,
        method: 'tools/call',
        params: { name: 'searchWorkspaceTasks', arguments: { query: q.query, limit: 10 } },
      }),
    );
  } finally {
    await db.close();
  }
  const r = rng(ds.size + 17);
  const span = ds.lastNumber - ds.firstNumber + 1;
  // 1,000 random tasks: autocannon builds every body once per connection for each run (slice), before it loads.
  const detailBodies = Array.from({ length: 1000 }, (_, i) =>
    JSON.stringify({
      jsonrpc: '2.0',
      id: i + 1,
      method: 'tools/call',
      params: { name: 'getTaskDetails', arguments: { taskNumber: ds.firstNumber + Math.floor(r() * span) } },
    }),
  );
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    authorization: `Bearer ${token}`,
    'mcp-protocol-version': '2025-06-18',
  };
  const META = {
    'io.modelcontextprotocol/protocolVersion': '2026-07-28',
    'io.modelcontextprotocol/clientCapabilities': {},
    'io.modelcontextprotocol/clientInfo': { name: 'taskline-bench', version: '1' },
  };
  const modernBodies = detailBodies.map((b) => {
    const m = JSON.parse(b) as { params: Record<string, unknown> };
    return JSON.stringify({ ...m, params: { ...m.params, _meta: META } });
  });
  const modernHeaders = { ...headers, 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call', 'mcp-name': 'getTaskDetails' };
  const mcpPath = `/app/api/mcp/server/${ds.workspaceId}`;

  // os.cpus() lists every core whatever this process is pinned to (availableParallelism() counts only those it may use).
  const cores = os.cpus().length;
  const pinned = hasTaskset() && cores >= 2 && pinSelf('1');
  const core = pinned ? '0' : null;
  if (!pinned) log('  B1: taskset or a second core is missing: servers and load generator are not pinned');

  const children: Child[] = [];
  const stopAll = () => Promise.all(children.map((c) => c.stop()));
  try {
    const wanted = (name: string) => !o.only || o.only.includes(name);
    const servers = ['a', 'a-db', 'b', 'c'].filter((s) => wanted(s) || (s === 'c' && ['c-search', 'c-modern'].some(wanted)));
    const started = await Promise.allSettled(servers.map((name) => startServer({ ...serverSpec(name, ds), core })));
    for (const s of started) if (s.status === 'fulfilled') children.push(s.value);
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const port = (name: string) => children.find((c) => c.name === name)?.port ?? 0;
    const targets: Target[] = (<Target[]>[
      { name: 'a', port: port('a'), path: '/', headers, bodies: detailBodies },
      { name: 'a-db', port: port('a-db'), path: mcpPath, headers, bodies: detailBodies },
      { name: 'b', port: port('b'), path: '/mcp', headers, bodies: detailBodies },
      { name: 'c', port: port('c'), path: mcpPath, headers, bodies: detailBodies },
      { name: 'c-search', port: port('c'), path: mcpPath, headers, bodies: searchBodies },
      { name: 'c-modern', port: port('c'), path: mcpPath, headers: modernHeaders, bodies: modernBodies },
    ]).filter((t) => wanted(t.name));
    for (const t of targets) await check(t);

    // B3: the tools/list result this credential (the default five read tools) gets.
    const tl = await fetch(`http://127.0.0.1:${port('c')}${mcpPath}`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    const tlJson = (await tl.json()) as { result?: unknown };
    const toolsListBytes = tlJson.result ? Buffer.byteLength(JSON.stringify(tlJson.result)) : null;

    const quiet = o.waitQuietSeconds > 0 ? await waitQuiet(25, o.waitQuietSeconds, log) : null;
    if (quiet !== null) log(`  B1: other processes use ${quiet}% of a core`);
    const loadAvg = [round(os.loadavg()[0]!, 2)];
    const stats = new pg.Client({ connectionString: ds.databaseUrl, application_name: 'taskline-bench-stats' });
    await stats.connect();
    const xacts = async () => {
      const r = await stats.query<{ x: string }>(
        'SELECT (xact_commit + xact_rollback)::text AS x FROM pg_stat_database WHERE datname = current_database()',
      );
      return Number(r.rows[0]!.x);
    };
    // SQL statements per request are counted over each server's warm-up: a backend publishes its counters at most
    // once a second (and within about a second of going idle), so the counts of a 2 s slice would land in the next
    // server's; after the warm-up the harness waits for them.
    log(`  B1: warm-up ${o.warmupSeconds} s per server (load average ${loadAvg[0]})`);
    const statements = new Map<string, number | null>();
    for (const t of targets) {
      const x0 = await xacts();
      const warm = await runLoad(t, { connections: o.connections, seconds: o.warmupSeconds });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      statements.set(t.name, warm.requests ? round(((await xacts()) - x0 - 1) / warm.requests, 2) : null);
    }
    const rounds = new Map<string, RoundResult[]>(targets.map((t) => [t.name, []]));
    const pids = children.map((c) => c.pid);
    const pidOf = (port: number) => children.find((c) => c.port === port)!.pid;
    const backends = async () =>
      (
        await stats.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')
      ).rows.map((x) => x.pid);
    // Each round is cut into slices of about SLICE_SECONDS: every target runs once per slice, the order rotating from
    // slice to slice, and a round's figures for a target are its slices merged. On a shared VM a core's speed drifts
    // by tens of percent within seconds (the same server's CPU per request moves that much from one 10 s window to
    // the next), so c and a-db compared over slices seconds apart see the same machine; back-to-back 10 s runs did not.
    const slices = Math.max(1, Math.round(o.roundSeconds / SLICE_SECONDS));
    const sliceSeconds = o.roundSeconds / slices;
    for (let k = 1; k <= o.rounds; k++) {
      const parts = new Map(targets.map((t) => [t.name, { runs: [] as LoadRun[], cpu: [] as (CpuUse | null)[] }]));
      for (let s = 0; s < slices; s++) {
        const first = s % targets.length;
        for (const t of [...targets.slice(first), ...targets.slice(0, first)]) {
          const m0 = cpuMark(pids, await backends());
          const run = await runLoad(t, { connections: o.connections, seconds: sliceSeconds });
          const part = parts.get(t.name)!;
          part.cpu.push(cpuUse(m0, cpuMark(pids, await backends()), pidOf(t.port)));
          part.runs.push(run);
          for (const c of children) if (c.exited()) throw new Error(`${c.name} died during the run:\n${c.tail()}`);
        }
      }
      for (const t of targets) {
        const part = parts.get(t.name)!;
        const load = mergeLoads(part.runs);
        const cpu = mergeCpu(part.cpu);
        const res: RoundResult = { ...load, cpu };
        rounds.get(t.name)!.push(res);
        const bad = res.non2xx + res.isError + res.errors;
        log(
          `  B1 round ${k}/${o.rounds} ${t.name.padEnd(8)} ${Math.round(res.reqPerSec).toString().padStart(6)} req/s  p50 ${res.p50} ms  p99 ${res.p99} ms` +
            (cpu
              ? `  cpu: server ${cpu.server}%, postgres ${cpu.postgresBench}% (all postgres ${cpu.postgres}%), load generator ${cpu.bench}%, others ${cpu.foreign}%`
              : '') +
            (bad ? `  FAILED ${bad} (non-2xx ${res.non2xx}, isError ${res.isError}, socket errors ${res.errors})` : ''),
        );
      }
      loadAvg.push(round(os.loadavg()[0]!, 2));
    }
    await stats.end();
    await stopAll();

    const results: TargetResult[] = targets.map((t) => {
      const rs = rounds.get(t.name)!;
      const sum = (f: (x: RoundResult) => number) => rs.reduce((a, x) => a + f(x), 0);
      return {
        name: t.name,
        what: WHAT[t.name]!,
        rounds: rs,
        reqPerSec: Math.round(median(rs.map((x) => x.reqPerSec))),
        p50: median(rs.map((x) => x.p50)),
        p99: median(rs.map((x) => x.p99)),
        requests: sum((x) => x.requests),
        foreignCpu: medianOf(rs.map((x) => x.cpu?.foreign)),
        serverCpuPct: medianOf(rs.map((x) => x.cpu?.server)),
        serverUsPerRequest: medianOf(rs.map((x) => (x.cpu && x.requests ? (x.cpu.server * 1e4 * x.cpu.seconds) / x.requests : undefined))),
        postgresUsPerRequest: medianOf(rs.map((x) => (x.cpu && x.requests ? (x.cpu.postgresBench * 1e4 * x.cpu.seconds) / x.requests : undefined))),
        postgresCpuPct: medianOf(rs.map((x) => x.cpu?.postgresBench)),
        loadGeneratorCpuPct: medianOf(rs.map((x) => x.cpu?.bench)),
        statementsPerRequest: statements.get(t.name) ?? null,
        failed: { non2xx: sum((x) => x.non2xx), isError: sum((x) => x.isError), errors: sum((x) => x.errors), timeouts: sum((x) => x.timeouts) },
        firstFailure: rs.find((x) => x.firstFailure)?.firstFailure,
      };
    });
    const rps = (n: string) => results.find((x) => x.name === n)?.reqPerSec ?? Number.NaN;
    const ratio = (a: string, b: string, d: number) => (Number.isFinite(rps(a) / rps(b)) ? round(rps(a) / rps(b), d) : null);
    const allFailed = results.filter((x) => x.rounds.every((rr) => rr.ok === 0));
    if (allFailed.length)
      throw new Error(`every request failed for ${allFailed.map((x) => `${x.name} (${x.firstFailure ?? 'no response'})`).join(', ')}`);

    const profiles: B1Result['profiles'] = [];
    if (o.profile) {
      // Taskline for both tools, and a-db as the baseline of the same SQL without MCP.
      for (const t of targets.filter((x) => ['a-db', 'c', 'c-search'].includes(x.name))) {
        try {
          profiles.push({ target: t.name, summary: await profileRound(o, t, core) });
        } catch (err) {
          log(`  B1 profile ${t.name} failed (the results above stand): ${(err as Error).message.split('\n').slice(0, 3).join(' / ')}`);
        }
      }
    }
    return {
      dataset: `${ds.store} ${ds.label}`,
      connections: o.connections,
      rounds: o.rounds,
      roundSeconds: o.roundSeconds,
      sliceSeconds,
      warmupSeconds: o.warmupSeconds,
      pinned,
      targets: results,
      ratios: {
        cOverAdb: ratio('c', 'a-db', 3),
        cOverB: ratio('c', 'b', 2),
        cOverA: ratio('c', 'a', 3),
        searchOverAdb: ratio('c-search', 'a-db', 3),
        searchOverA: ratio('c-search', 'a', 3),
        modernOverAdb: ratio('c-modern', 'a-db', 3),
      },
      toolsListBytes,
      loadAvg,
      profiles,
    };
  } finally {
    await stopAll();
    if (pinned) pinSelf(`0-${cores - 1}`);
  }
}

/** One more round against a fresh server under `node --cpu-prof`; summarize the samples of the round only. */
async function profileRound(o: B1Options, t: Target, core: string | null): Promise<ProfileSummary> {
  const dir = path.join(DATA_DIR, 'profiles', `${new Date().toISOString().replace(/[:.]/g, '-')}-${t.name}`);
  fs.mkdirSync(dir, { recursive: true });
  const spec = serverSpec(t.name.startsWith('c-') ? 'c' : t.name, o.ds);
  const child = await startServer({
    ...spec,
    name: `${t.name} (--cpu-prof)`,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...spec.nodeArgs],
    core,
  });
  let t0 = 0;
  let t1 = 0;
  try {
    const target = { ...t, port: child.port };
    await check(target);
    await runLoad(target, { connections: o.connections, seconds: Math.min(3, o.warmupSeconds) });
    t0 = performance.now();
    await runLoad(target, { connections: o.connections, seconds: o.roundSeconds });
    t1 = performance.now();
  } finally {
    await child.stop(15_000);
  }
  const t2 = performance.now();
  // One profile per thread (tsx runs its module hooks on a second one): the main thread's is the biggest.
  const file = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort((a, b) => fs.statSync(path.join(dir, b)).size - fs.statSync(path.join(dir, a)).size)[0];
  if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
  // The profile ends when the process exits (≈ t2): keep [t0, t1], trimmed by 0.2 s at each end.
  const summary = summarizeProfile(path.join(dir, file), { fromEndUs: (t2 - t0 - 200) * 1000, toEndUs: (t2 - t1 + 200) * 1000 });
  o.log(
    `  B1 profile ${t.name}: ${summary.busyMs} ms busy, ${summary.idleMs} ms idle in the round (${summary.busyPct}% busy); ${path.relative(process.cwd(), path.join(dir, file))}`,
  );
  return summary;
}
