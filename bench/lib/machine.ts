import fs from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';

export interface Machine {
  nproc: number;
  cpuModel: string;
  memGiB: number;
  node: string;
  postgres: string | null;
  pglite: string | null;
  kernel: string;
}

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1]!.trim();
  } catch {
    /* not Linux */
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

function pgliteVersion(): string | null {
  try {
    const pkg = JSON.parse(fs.readFileSync('node_modules/@electric-sql/pglite/package.json', 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return null;
  }
}

export function machine(postgres: string | null): Machine {
  let nproc = os.availableParallelism?.() ?? os.cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    /* keep os value */
  }
  return {
    nproc,
    cpuModel: cpuModel(),
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres,
    pglite: pgliteVersion(),
    kernel: `${os.type()} ${os.release()}`,
  };
}

export function describeMachine(m: Machine): string {
  return `${m.nproc} × ${m.cpuModel}, ${m.memGiB} GiB, Node ${m.node}, ${m.postgres ?? 'no PostgreSQL'}, PGlite ${m.pglite ?? '?'}`;
}
