/** Child servers for B1: spawned pinned to one core, waited for, stopped by pid (never by name). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { freePort } from '../../test/helpers/proc.ts';
import { ROOT } from './datasets.ts';

export function hasTaskset(): boolean {
  return spawnSync('taskset', ['-V'], { stdio: 'ignore' }).status === 0;
}

/** Pin every thread of this process to `cores` (e.g. "1"); returns false when taskset is unavailable. */
export function pinSelf(cores: string): boolean {
  if (!hasTaskset()) return false;
  return spawnSync('taskset', ['-a', '-p', '-c', cores, String(process.pid)], { stdio: 'ignore' }).status === 0;
}

export interface Child {
  name: string;
  port: number;
  pid: number;
  /** Last output lines (stdout + stderr), for error messages. */
  tail(): string;
  exited(): boolean;
  /** SIGTERM, then SIGKILL after graceMs; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  /** Node arguments after `node` (e.g. ['--import', 'tsx', 'bench/servers/raw.ts']). */
  nodeArgs: string[];
  env?: Record<string, string>;
  /** CPU list for taskset -c, or null for no pinning. */
  core: string | null;
  /** How to tell it is up: a line starting with READY on stdout, or GET <path> answering 200. */
  ready: { line: true } | { path: string };
  timeoutMs?: number;
}

export async function startServer(o: StartOptions): Promise<Child> {
  const port = await freePort();
  const argv = [process.execPath, ...o.nodeArgs];
  const [cmd, args] = o.core !== null ? ['taskset', ['-c', o.core, ...argv]] : [argv[0]!, argv.slice(1)];
  const proc: ChildProcess = spawn(cmd, args, {
    cwd: ROOT,
    env: { ...process.env, ...o.env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let exitCode: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    proc.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : 0);
      resolve();
    }),
  );
  let sawReady = false;
  const onData = (buf: Buffer) => {
    for (const l of buf.toString('utf8').split('\n')) {
      if (!l) continue;
      if (l.startsWith('READY')) sawReady = true;
      lines.push(l.length > 500 ? l.slice(0, 500) + '…' : l);
      if (lines.length > 40) lines.shift();
    }
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const child: Child = {
    name: o.name,
    port,
    pid: proc.pid ?? -1,
    tail: () => lines.join('\n'),
    exited: () => exitCode !== undefined,
    async stop(graceMs = 5000) {
      if (exitCode !== undefined) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => exitCode === undefined && proc.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${o.name} exited (code ${exitCode}) before it was ready:\n${child.tail()}`);
    if ('line' in o.ready) {
      if (sawReady) return child;
    } else {
      try {
        const r = await fetch(`http://127.0.0.1:${port}${o.ready.path}`, { signal: AbortSignal.timeout(2000) });
        await r.arrayBuffer();
        if (r.status === 200) return child;
      } catch {
        /* not listening yet */
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await child.stop(1000);
  throw new Error(`${o.name} did not become ready within ${(o.timeoutMs ?? 60_000) / 1000} s:\n${child.tail()}`);
}
