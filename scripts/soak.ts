/**
 * Soak: `npm run soak -- --minutes N [--rps R] [--tasks T]`
 *
 * Starts a Taskline server as a child process on PostgreSQL (DATABASE_URL, or a fresh database it creates on
 * SOAK_ADMIN_URL / TEST_DATABASE_URL / postgres://postgres@127.0.0.1:5432/postgres and drops afterwards), seeds a
 * workspace, then runs a mixed, mostly-read tool load at a fixed rate (open loop: requests are sent on schedule,
 * whatever the latency) for N minutes. Prints total requests, errors, p50/p99 per minute and the server's RSS at
 * start/end. Exits 1 on any error (non-200, JSON-RPC error, or isError where none is expected).
 */
import http from 'node:http';
import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openPg } from '../src/platform/db/client.ts';
import { migrate } from '../src/platform/db/migrate.ts';
import { createWorkspace } from '../src/domain/workspaces.ts';
import { createCredential } from '../src/domain/credentials.ts';
import { seedWorkspace } from '../src/seed/seed.ts';
import { startServerProcess } from '../test/helpers/proc.ts';

const { values } = parseArgs({
  options: { minutes: { type: 'string', default: '1' }, rps: { type: 'string' }, tasks: { type: 'string', default: '20000' } },
});
const minutes = Number(values.minutes);
let rps = values.rps === undefined ? 0 : Number(values.rps);
const taskCount = Number(values.tasks);
if (!(minutes > 0) || !(rps >= 0) || !(taskCount > 0)) {
  console.error('usage: npm run soak -- --minutes N [--rps R] [--tasks T]');
  process.exit(2);
}

const ADMIN = process.env.SOAK_ADMIN_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
async function admin(sql: string) {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

let dbUrl = process.env.DATABASE_URL;
let dropName: string | null = null;
if (!dbUrl) {
  dropName = `tl_soak_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${dropName}`);
  const u = new URL(ADMIN);
  u.pathname = `/${dropName}`;
  dbUrl = u.toString();
}

const rssOf = (pid: number): number => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
};
const mb = (b: number) => `${(b / 1048576).toFixed(1)} MiB`;

let exitCode = 0;
let server: Awaited<ReturnType<typeof startServerProcess>> | null = null;
try {
  const db = await openPg(dbUrl);
  await migrate(db);
  const ws = await createWorkspace(db, { name: 'Soak Co' });
  const { token } = await createCredential(db, ws.id, { name: 'soak' });
  const t0 = Date.now();
  const seeded = await seedWorkspace(db, ws.id, { tasks: taskCount, seed: 7 });
  console.log(
    `seeded ${seeded.tasks} tasks, ${seeded.customers} customers, ${seeded.comments} comments in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  const people = await db.query<{ name: string; phone: string | null; email: string | null }>(
    'SELECT name, phone, email FROM customers WHERE workspace_id = $1 ORDER BY id LIMIT 500',
    [ws.id],
  );
  await db.close();

  server = await startServerProcess({ DATABASE_URL: dbUrl, TASKLINE_DEMO: '0', RATE_LIMIT_TOOL_CALLS: '1000000000', LOG_LEVEL: 'warn' });
  const pid = server.proc.pid!;
  const url = `${server.url}/app/api/mcp/server/${ws.id}`;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: `Bearer ${token}` };

  const pick = <T>(a: T[]): T => a[Math.floor(Math.random() * a.length)]!;
  const num = () => seeded.firstNumber + Math.floor(Math.random() * seeded.tasks);
  const queries = () => {
    const p = pick(people.rows);
    return pick([p.name, p.name.split(' ')[0]!, p.phone ?? p.name, p.email ?? p.name, `#${num()}`, 'dishwasher', 'leak', 'invoice']);
  };
  // Mostly reads, as an assistant on the phone would do.
  const MIX: [number, () => [string, Record<string, unknown>]][] = [
    [40, () => ['searchWorkspaceTasks', { query: queries(), limit: 10 }]],
    [25, () => ['getTaskDetails', { taskNumber: num() }]],
    [15, () => ['listTaskComments', { taskNumber: num() }]],
    [12, () => ['listWorkspaceTasks', { limit: 20, ...(Math.random() < 0.5 ? { status: 'open' } : {}) }]],
    [8, () => ['workspaceSummary', {}]],
  ];
  const total = MIX.reduce((s, [w]) => s + w, 0);
  const nextCall = () => {
    let r = Math.random() * total;
    for (const [w, f] of MIX) {
      r -= w;
      if (r < 0) return f();
    }
    return MIX[0]![1]();
  };

  interface Minute {
    lat: number[];
    errors: number;
  }
  const perMinute: Minute[] = [];
  const errorSamples: string[] = [];
  let sent = 0;
  let errors = 0;
  let inFlight = 0;
  let maxInFlight = 0;

  let keepAliveRetries = 0;
  const fire = (started: number) => {
    const [name, args] = nextCall();
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
    const bucket = Math.floor((started - loadStart) / 60_000);
    perMinute[bucket] ??= { lat: [], errors: 0 };
    const m = perMinute[bucket];
    sent++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    send(name, body, started, m, true);
  };
  const send = (name: string, body: string, started: number, m: Minute, mayRetry: boolean) => {
    const fail = (why: string) => {
      errors++;
      m.errors++;
      if (errorSamples.length < 10) errorSamples.push(`${name}: ${why}`);
    };
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        inFlight--;
        m.lat.push(performance.now() - started);
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return fail(`HTTP ${res.statusCode} ${text.slice(0, 200)}`);
        try {
          const j = JSON.parse(text);
          if (j.error) return fail(`JSON-RPC error ${JSON.stringify(j.error).slice(0, 200)}`);
          if (j.result?.isError) return fail(`isError ${JSON.stringify(j.result.content).slice(0, 200)}`);
        } catch {
          fail(`unparseable ${text.slice(0, 200)}`);
        }
      });
      res.on('error', (e) => {
        inFlight--;
        fail(e.message);
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      // Keep-alive race (Node's documented case): the server closed an idle socket just as we reused it.
      // The request never reached the application; send it again once on a fresh socket.
      if (mayRetry && req.reusedSocket && e.code === 'ECONNRESET') {
        keepAliveRetries++;
        return send(name, body, started, m, false);
      }
      inFlight--;
      fail(e.message);
    });
    req.end(body);
  };

  // Without --rps: measure what one instance sustains (closed loop, 32 in flight, 10 s) and run at half of it.
  let loadStart = performance.now();
  if (!rps) {
    const until = performance.now() + 10_000;
    let done = 0;
    const one = () =>
      new Promise<void>((resolve) => {
        const [name, args] = nextCall();
        const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: args } });
        const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
          res.resume();
          res.on('end', () => {
            done++;
            resolve();
          });
        });
        req.on('error', () => resolve());
        req.end(body);
      });
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (performance.now() < until) await one();
      }),
    );
    const max = done / 10;
    rps = Math.max(1, Math.floor(max / 2));
    console.log(`measured ≈ ${max.toFixed(0)} req/s (32 in flight); soaking at half: ${rps} req/s`);
  }
  console.log(`load: ${rps} req/s for ${minutes} min against ${url.replace(/server\/.*/, 'server/…')} (server pid ${pid})`);
  const rssStart = rssOf(pid);
  const rssSamples: number[] = [rssStart];
  const durationMs = minutes * 60_000;
  loadStart = performance.now();
  await new Promise<void>((resolve) => {
    let due = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      const elapsed = now - loadStart;
      if (elapsed >= durationMs) {
        clearInterval(tick);
        return resolve();
      }
      const target = Math.floor((elapsed / 1000) * rps);
      while (due < target) {
        due++;
        fire(now);
      }
      const b = Math.floor(elapsed / 60_000);
      if (rssSamples.length <= b) rssSamples.push(rssOf(pid));
    }, 5);
  });
  // Let the last requests finish (bounded).
  const drainUntil = Date.now() + 30_000;
  while (inFlight > 0 && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
  if (inFlight > 0) {
    errors += inFlight;
    errorSamples.push(`${inFlight} requests unanswered 30 s after the load stopped`);
  }
  const rssEnd = rssOf(pid);
  agent.destroy();

  const q = (a: number[], p: number) => {
    if (!a.length) return NaN;
    const s = [...a].sort((x, y) => x - y);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  };
  console.log('\nminute  requests  errors   p50 ms   p99 ms   max ms   server RSS');
  for (const [i, m] of perMinute.entries())
    console.log(
      `${String(i + 1).padStart(6)}  ${String(m.lat.length).padStart(8)}  ${String(m.errors).padStart(6)}  ${q(m.lat, 50).toFixed(1).padStart(7)}  ${q(m.lat, 99).toFixed(1).padStart(7)}  ${Math.max(
        ...m.lat,
      )
        .toFixed(1)
        .padStart(7)}   ${mb(rssSamples[i + 1] ?? rssEnd)}`,
    );
  const all = perMinute.flatMap((m) => m.lat);
  console.log(
    `\ntotal requests ${sent} (${(sent / (durationMs / 1000)).toFixed(0)} req/s), errors ${errors}, p50 ${q(all, 50).toFixed(1)} ms, p99 ${q(all, 99).toFixed(1)} ms, max in flight ${maxInFlight}, keep-alive races retried ${keepAliveRetries}`,
  );
  console.log(
    `server RSS start ${mb(rssStart)}, end ${mb(rssEnd)}, growth ${mb(rssEnd - rssStart)} (${(((rssEnd - rssStart) / rssStart) * 100).toFixed(1)}%)`,
  );
  if (errorSamples.length) console.log(`errors, first ${errorSamples.length}:\n  ${errorSamples.join('\n  ')}`);
  if (errors > 0 || sent === 0) exitCode = 1;
} catch (err) {
  console.error('soak failed:', err);
  exitCode = 1;
} finally {
  if (server) await server.stop('SIGTERM');
  if (dropName)
    await admin(`DROP DATABASE IF EXISTS ${dropName} WITH (FORCE)`).catch((e: Error) => console.error(`could not drop ${dropName}: ${e.message}`));
}
process.exit(exitCode);
