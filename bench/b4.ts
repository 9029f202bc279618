/**
 * B4 grow-up costs: what a large workspace costs before it serves. For each store, a fresh throwaway database
 * (PostgreSQL: taskline_grow_<size> on BENCH_PG_URL; PGlite: a directory under the system's temp directory) is
 * seeded the way the bench datasets are (migrate, createWorkspace, seedWorkspace, VACUUM ANALYZE — `seedInto`), then
 * the production server (`node dist/app/main.js` from a fresh `npm run build`, configured by DATABASE_URL / DATA_DIR
 * and PORT) is started on it twice, and the time from spawn to the first `GET /readyz` 200 is measured (polled every
 * 20 ms). The first start follows the seeding, the second a restart; neither drops the OS page cache (that needs root
 * and would disturb everything else on the machine). Everything B4 creates is removed at the end.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openPg, openPglite, type Db } from '../src/platform/db/client.ts';
import { freePort } from '../test/helpers/proc.ts';
import { cpuMark, cpuUse } from './lib/cpu.ts';
import { admin, PG_BASE, ROOT, seedInto, sizeLabel, type Store } from './lib/datasets.ts';

export interface B4Start {
  /** Spawn → first /readyz 200, ms. */
  readyMs: number;
  /** CPU the server process used until then (user + system, ms; null off Linux): the cost without contention. */
  serverCpuMs: number | null;
}

export interface B4Store {
  store: Store;
  size: number;
  label: string;
  /** migrate + createWorkspace are not included; seedWorkspace + VACUUM ANALYZE are (as the bench datasets' seedSeconds). */
  seedSeconds: number;
  tasks: number;
  customers: number;
  comments: number;
  /** Others' CPU while seeding, % of one core (null off Linux). */
  seedForeignCpu: number | null;
  /** Data on disk after seeding, bytes (PostgreSQL: pg_database_size; PGlite: the directory). */
  bytes: number | null;
  /** First start after seeding, then a restart. */
  starts: B4Start[];
}

export interface B4Result {
  size: number;
  label: string;
  stores: B4Store[];
}

type Log = (m: string) => void;

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : e.isFile() ? fs.statSync(p).size : 0;
  }
  return n;
}

function cpuMsOf(pid: number): number | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in ticks of 10 ms (USER_HZ 100)
  } catch {
    return null;
  }
}

/**
 * A production install in a temp directory: package.json, node_modules (a link to this checkout's) and dist/ from
 * `npm run build`, so that the server runs compiled JavaScript on plain Node.js, as deployed.
 */
function buildInstall(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--out', path.join(dir, 'dist')], { cwd: ROOT, stdio: 'pipe' });
  return path.join(dir, 'dist/app/main.js');
}

/** Start the production server on a database, time it to the first /readyz 200, stop it. */
async function coldStart(main: string, env: Record<string, string>, timeoutMs = 120_000): Promise<B4Start> {
  const port = await freePort();
  const clean = { ...process.env };
  for (const k of ['DATABASE_URL', 'DATA_DIR', 'PORT', 'HOST', 'PUBLIC_URL', 'DEMO']) delete clean[k];
  const t0 = performance.now();
  const proc = spawn(process.execPath, ['--enable-source-maps', main], {
    cwd: path.dirname(path.dirname(path.dirname(main))),
    env: { ...clean, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString('utf8')).slice(-4000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : 0);
      resolve();
    }),
  );
  try {
    for (;;) {
      if (exitCode !== undefined) throw new Error(`the server exited (code ${exitCode}) before /readyz answered 200:\n${out}`);
      if (performance.now() - t0 > timeoutMs) throw new Error(`the server did not answer /readyz 200 within ${timeoutMs / 1000} s:\n${out}`);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5000) });
        await r.arrayBuffer();
        if (r.status === 200) {
          const readyMs = performance.now() - t0;
          return { readyMs: Math.round(readyMs), serverCpuMs: cpuMsOf(proc.pid!) };
        }
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    if (exitCode === undefined) {
      proc.kill('SIGTERM');
      const timer = setTimeout(() => exitCode === undefined && proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  }
}

export async function runB4(o: { size: number; stores: Store[]; seed: number; starts?: number; log: Log }): Promise<B4Result> {
  const label = sizeLabel(o.size);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'taskline-b4-'));
  const dbName = `taskline_grow_${label}`;
  let dropDb = false;
  const out: B4Result = { size: o.size, label, stores: [] };
  try {
    o.log(`  building the production server (npm run build) in ${tmp}`);
    const main = buildInstall(path.join(tmp, 'install'));
    for (const store of o.stores) {
      const tag = `${store} ${label}`;
      let db: Db;
      let env: Record<string, string>;
      const dataDir = path.join(tmp, `pglite-${label}`);
      if (store === 'pg') {
        await admin(async (c) => {
          await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
          await c.query(`CREATE DATABASE ${dbName}`);
        });
        dropDb = true;
        const url = `${PG_BASE}/${dbName}`;
        db = await openPg(url, { max: 4, applicationName: 'taskline-bench-seed' });
        env = { DATABASE_URL: url };
      } else {
        fs.mkdirSync(dataDir, { recursive: true });
        db = await openPglite(dataDir, 'bench');
        env = { DATA_DIR: dataDir };
      }
      let seeded: Awaited<ReturnType<typeof seedInto>>;
      let seedForeignCpu: number | null;
      let bytes: number | null = null;
      try {
        const m0 = cpuMark([]);
        seeded = await seedInto(db, o.size, o.seed, o.log, `B4 ${tag}`);
        seedForeignCpu = cpuUse(m0, cpuMark([]), -1)?.foreign ?? null;
        if (store === 'pg')
          bytes = Number((await db.query<{ n: number }>('SELECT pg_database_size(current_database()) AS n')).rows[0]?.n ?? 0) || null;
      } finally {
        await db.close();
      }
      if (store === 'pglite') bytes = dirBytes(dataDir);
      const starts: B4Start[] = [];
      for (let k = 0; k < (o.starts ?? 2); k++) starts.push(await coldStart(main, env));
      o.log(
        `  B4 ${tag}: seeded in ${seeded.seedSeconds.toFixed(1)} s (others used ${seedForeignCpu ?? '?'}% of a core); ` +
          `server ready in ${starts.map((s) => `${s.readyMs} ms (CPU ${s.serverCpuMs ?? '?'} ms)`).join(', then ')}`,
      );
      out.stores.push({
        store,
        size: o.size,
        label,
        seedSeconds: seeded.seedSeconds,
        tasks: seeded.tasks,
        customers: seeded.customers,
        comments: seeded.comments,
        seedForeignCpu,
        bytes,
        starts,
      });
      if (store === 'pglite') fs.rmSync(dataDir, { recursive: true, force: true });
      else {
        await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
        dropDb = false;
      }
    }
  } finally {
    if (dropDb) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch(() => {});
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}
