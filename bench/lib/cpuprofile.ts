/** Summarize a V8 .cpuprofile (node --cpu-prof): self time per function and per package, within a time window. */
import fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  file: string;
  /** Milliseconds of samples in the window, idle excluded. */
  busyMs: number;
  idleMs: number;
  /** Busy share of the window: near 100% means the process was CPU-bound on its core. */
  busyPct: number;
  top: { fn: string; where: string; selfMs: number; pct: number }[];
  /** Time with the function anywhere on the stack (JS functions of the app and its packages). */
  inclusive: { fn: string; where: string; ms: number; pct: number }[];
  byPackage: { pkg: string; selfMs: number; pct: number }[];
}

function pkgOf(cf: CallFrame): string {
  const { url, functionName } = cf;
  if (!url) {
    if (functionName === '(garbage collector)') return 'GC';
    if (functionName === '(program)') return '(program: native, not JS)';
    if (functionName === '(idle)') return '(idle)';
    return `(native ${functionName || 'anonymous'})`;
  }
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?([^/]+)/.exec(url);
    return `node:${m?.[1] ?? url}`;
  }
  const src = /\/(src|bench)\/(.+)$/.exec(url);
  if (src) return `taskline ${src[1]}/${src[2]!.split('/')[0]}`;
  return url;
}

/** tsx emits each module on one line: a line number is only worth showing for files it did not compile. */
function where(cf: CallFrame): string {
  if (!cf.url) return '';
  return cf.lineNumber > 0 ? `${shortUrl(cf.url)}:${cf.lineNumber + 1}` : shortUrl(cf.url);
}

function shortUrl(url: string): string {
  const nm = /node_modules\/(.+)$/.exec(url);
  if (nm) return nm[1]!;
  const src = /\/((?:src|bench)\/.+)$/.exec(url);
  if (src) return src[1]!;
  return url.replace(/^file:\/\//, '');
}

/**
 * `window` in microseconds measured back from the end of the profile: [fromEnd, toEnd] keeps samples with
 * end - fromEnd ≤ t ≤ end - toEnd (the load round, without start-up and shutdown).
 */
export function summarizeProfile(file: string, window?: { fromEndUs: number; toEndUs: number }, topN = 25): ProfileSummary {
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = p.startTime;
  const lo = window ? p.endTime - window.fromEndUs : -Infinity;
  const hi = window ? p.endTime - window.toEndUs : Infinity;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    t += dt;
    if (t < lo || t > hi) continue;
    const id = p.samples[i]!;
    self.set(id, (self.get(id) ?? 0) + Math.max(0, dt));
  }
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const key = (cf: CallFrame) => `${cf.functionName}@${cf.url}:${cf.lineNumber}:${cf.columnNumber}`;
  const byFn = new Map<string, { fn: string; where: string; us: number }>();
  const incl = new Map<string, { fn: string; where: string; us: number }>();
  const byPkg = new Map<string, number>();
  let idle = 0;
  let busy = 0;
  for (const [id, us] of self) {
    const cf = byId.get(id)!.callFrame;
    if (cf.functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const e = byFn.get(key(cf)) ?? { fn: cf.functionName || '(anonymous)', where: where(cf), us: 0 };
    e.us += us;
    byFn.set(key(cf), e);
    const pkg = pkgOf(cf);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const f = byId.get(n)!.callFrame;
      if (!f.url || seen.has(key(f))) continue;
      seen.add(key(f));
      const x = incl.get(key(f)) ?? { fn: f.functionName || '(anonymous)', where: where(f), us: 0 };
      x.us += us;
      incl.set(key(f), x);
    }
  }
  const pct = (us: number) => Number(((100 * us) / (busy || 1)).toFixed(1));
  return {
    file,
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    busyPct: Math.round((100 * busy) / (busy + idle || 1)),
    inclusive: [...incl.values()]
      // The pg driver's frames sit under every continuation it resolves (they call back synchronously), so their
      // inclusive time says nothing about cost: leave them and Node's own frames out.
      .filter((e) => !e.where.startsWith('node:') && !/^pg(-pool|-protocol)?\//.test(e.where) && e.us < busy * 0.98)
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((e) => ({ fn: e.fn, where: e.where, ms: Math.round(e.us / 1000), pct: pct(e.us) })),
    top: [...byFn.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((e) => ({ fn: e.fn, where: e.where, selfMs: Math.round(e.us / 1000), pct: pct(e.us) })),
    byPackage: [...byPkg.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 20)
      .map(([pkg, us]) => ({ pkg, selfMs: Math.round(us / 1000), pct: pct(us) })),
  };
}
