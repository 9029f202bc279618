import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/cluster.ts';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Environment for a child taskline process: the parent's PATH etc., minus anything that would pick a store. */
export function childEnv(extra: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  for (const k of ['DATABASE_URL', 'DATA_DIR', 'TASKLINE_DEMO', 'PORT', 'PUBLIC_URL', 'NODE_TEST_CONTEXT']) delete env[k];
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

export interface ProcResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the taskline CLI (the real bin, or `entry`: e.g. a compiled dist/cli/index.js) as a child process. */
export function runCli(
  args: string[],
  env: Record<string, string | undefined>,
  stdin = '',
  entry = path.join(ROOT, 'bin/taskline.js'),
): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [entry, ...args], { cwd: ROOT, env: childEnv(env) });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(stdin);
  });
}

/** A TCP port free on 127.0.0.1 right now (also used by the bench harness); one copy, in scripts/cluster.ts. */
export { freePort };

export interface ServerProc {
  proc: ChildProcess;
  url: string;
  port: number;
  output(): string;
  /** Resolves when the process prints text matching re. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Start `npm start`'s entry point (src/app/main.ts through tsx) — or, with `nodeArgs`, another one such as the compiled
 * `--enable-source-maps dist/app/main.js` — as a child process and wait until it prints its banner.
 */
export async function startServerProcess(
  env: Record<string, string | undefined>,
  readyRe = /Taskline is running/,
  nodeArgs = ['--import', 'tsx', path.join(ROOT, 'src/app/main.ts')],
): Promise<ServerProc> {
  const port = await freePort();
  const proc = spawn(process.execPath, nodeArgs, {
    cwd: ROOT,
    env: childEnv({ PORT: String(port), ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  proc.stdout!.on('data', onData);
  proc.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const waitFor = (re: RegExp, timeoutMs = 60_000) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = out.match(re);
        if (m) {
          listeners.delete(check);
          clearTimeout(timer);
          resolve(m);
        }
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${re}; output so far:\n${out}`));
      }, timeoutMs);
      listeners.add(check);
      exited.then((code) => {
        if (listeners.has(check)) {
          listeners.delete(check);
          clearTimeout(timer);
          reject(new Error(`server exited (${code}) before printing ${re}; output:\n${out}`));
        }
      });
      check();
    });
  await waitFor(readyRe);
  return {
    proc,
    port,
    url: `http://127.0.0.1:${port}`,
    output: () => out,
    waitFor,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}
