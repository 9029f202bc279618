/**
 * How much CPU the rest of the machine used while we measured: total busy time from /proc/stat minus this process,
 * the bench servers and every postgres process (other projects' postgres backends count as ours here, so this
 * under-reports). Linux only; elsewhere every reading is null.
 */
import fs from 'node:fs';

const TICK = 100; // USER_HZ on Linux

function totalBusyTicks(): number | null {
  try {
    const cpu = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
    return user + nice + system + irq + softirq + steal;
  } catch {
    return null;
  }
}

function procTicks(pid: number): { ticks: number; comm: string } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = s.lastIndexOf(')');
    const comm = s.slice(s.indexOf('(') + 1, close);
    const f = s.slice(close + 2).split(' ');
    return { ticks: Number(f[11]) + Number(f[12]), comm }; // utime, stime (fields 14, 15)
  } catch {
    return null;
  }
}

export interface CpuMark {
  at: number;
  total: number;
  self: number;
  procs: Map<number, number>;
  /** Per postgres process (backends come and go: only the ticks between the two marks count). */
  postgres: Map<number, number>;
  /** Backends connected to the bench database (the rest of postgres serves other databases, or is background work). */
  benchBackends: Set<number>;
}

/** CPU counters now: the machine, this process, the given pids, all postgres processes. */
export function cpuMark(pids: number[], benchBackends: Iterable<number> = []): CpuMark | null {
  const total = totalBusyTicks();
  if (total === null) return null;
  const postgres = new Map<number, number>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const p = procTicks(Number(d));
    if (p?.comm === 'postgres') postgres.set(Number(d), p.ticks);
  }
  return {
    at: performance.now(),
    total,
    self: procTicks(process.pid)?.ticks ?? 0,
    procs: new Map(pids.map((pid) => [pid, procTicks(pid)?.ticks ?? 0])),
    postgres,
    benchBackends: new Set(benchBackends),
  };
}

/** CPU used between two marks, in percent of one core (200 = both cores of a 2-core machine). */
export interface CpuUse {
  /** Everything else on the machine (other projects' postgres backends count as postgres, so this under-reports). */
  foreign: number;
  /** The process `pid` (the server under load). */
  server: number;
  /** Every postgres process. */
  postgres: number;
  /** The backends of the bench database only. */
  postgresBench: number;
  /** The harness (load generator). */
  bench: number;
  seconds: number;
}

export function cpuUse(a: CpuMark | null, b: CpuMark | null, pid: number): CpuUse | null {
  if (!a || !b) return null;
  const secs = (b.at - a.at) / 1000;
  if (secs <= 0) return null;
  const pct = (ticks: number) => Math.max(0, Math.round((100 * ticks) / TICK / secs));
  // A postgres process that exited between the marks took its ticks along (they still show in the machine's total,
  // so they end up under "foreign"); one that started counts from zero.
  let postgres = 0;
  let postgresBench = 0;
  for (const [p, t] of b.postgres) {
    const d = t - (a.postgres.get(p) ?? 0);
    postgres += d;
    if (a.benchBackends.has(p) || b.benchBackends.has(p)) postgresBench += d;
  }
  let ours = b.self - a.self + postgres;
  for (const [p, t] of b.procs) ours += t - (a.procs.get(p) ?? t);
  return {
    foreign: pct(b.total - a.total - ours),
    server: pct((b.procs.get(pid) ?? 0) - (a.procs.get(pid) ?? 0)),
    postgres: pct(postgres),
    postgresBench: pct(postgresBench),
    bench: pct(b.self - a.self),
    seconds: secs,
  };
}

/** Several measurements of one server as one: each share weighted by its seconds. */
export function mergeCpu(uses: (CpuUse | null)[]): CpuUse | null {
  if (!uses.length || uses.some((u) => u === null)) return null;
  const all = uses as CpuUse[];
  const seconds = all.reduce((a, u) => a + u.seconds, 0);
  const avg = (f: (u: CpuUse) => number) => Math.round(all.reduce((a, u) => a + f(u) * u.seconds, 0) / seconds);
  return {
    foreign: avg((u) => u.foreign),
    server: avg((u) => u.server),
    postgres: avg((u) => u.postgres),
    postgresBench: avg((u) => u.postgresBench),
    bench: avg((u) => u.bench),
    seconds,
  };
}

let waited = 0;

/**
 * Wait until others use less than `belowPct` of one core over a 3 s window; all waits of a run together last at most
 * `budgetSeconds` (a machine that stays busy is measured busy, and the report shows it).
 */
export async function waitQuiet(belowPct: number, budgetSeconds: number, log: (m: string) => void): Promise<number | null> {
  let said = false;
  for (;;) {
    const t = performance.now();
    const a = cpuMark([]);
    await new Promise((r) => setTimeout(r, 3000));
    const used = cpuUse(a, cpuMark([]), -1)?.foreign ?? null;
    if (used === null || used < belowPct) return used;
    waited += (performance.now() - t) / 1000;
    if (waited >= budgetSeconds) {
      if (said) log(`  still busy (others use ${used}% of a core); the wait budget of ${budgetSeconds} s is spent: measuring anyway`);
      return used;
    }
    if (!said)
      log(
        `  the machine is busy (other processes use ${used}% of a core): waiting (at most ${Math.round(budgetSeconds - waited)} s more in this run)`,
      );
    said = true;
  }
}
