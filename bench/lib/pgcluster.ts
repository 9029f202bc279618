/**
 * A private PostgreSQL server for the bench's "sized" run: the same PostgreSQL binaries and settings as the machine's
 * server, except `shared_buffers`, sized to the working set of the largest dataset (issue #17: the default 128 MB makes
 * a 1M-task search read its pages through the kernel's cache). Its data directory lives outside the repository
 * (BENCH_SIZED_DIR, default /var/tmp/taskline-bench-pg) and is kept between runs, so the seeded dataset is reused; the
 * server is stopped when the bench ends. As root, the server runs as the `postgres` user (PostgreSQL refuses root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { admin, withPgClient } from './datasets.ts';

/** Settings that decide a search's plan and memory, shown in the report's table headers. */
export const SHOWN_SETTINGS = ['shared_buffers', 'effective_cache_size', 'work_mem', 'random_page_cost', 'jit'] as const;
export type PgSettings = Record<(typeof SHOWN_SETTINGS)[number], string>;

export function pgSettings(url: string): Promise<PgSettings> {
  return withPgClient(url, async (c) => {
    const r = await c.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings WHERE name = ANY($1::text[])`,
      [SHOWN_SETTINGS],
    );
    return Object.fromEntries(r.rows.map((x) => [x.name, x.setting])) as PgSettings;
  });
}

export const describeSettings = (s: PgSettings | undefined): string =>
  s ? SHOWN_SETTINGS.map((k) => `${k} ${s[k]}`).join(', ') : 'settings not recorded';

/** "1.4 GB" working set → shared_buffers rounded up to 256 MB steps, with a quarter on top for indexes and growth. */
export function sizedSharedBuffers(databaseBytes: number): string {
  const step = 256 * 1024 * 1024;
  return `${(Math.ceil((databaseBytes * 1.25) / step) * step) / (1024 * 1024)}MB`;
}

export interface PrivateServer {
  base: string;
  sharedBuffers: string;
  stop(): void;
}

function bindir(): string {
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    const v = fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql').sort().at(-1) : undefined;
    if (!v) throw new Error('the sized run needs the PostgreSQL server binaries (pg_config or /usr/lib/postgresql/<v>/bin); pass --sized=none');
    return `/usr/lib/postgresql/${v}/bin`;
  }
}

export async function startPrivateServer(opts: {
  sharedBuffers: string;
  /** The machine's server: its locale and its other settings are copied, so only shared_buffers differs. */
  like: string;
  port?: number;
  dir?: string;
  log: (m: string) => void;
}): Promise<PrivateServer> {
  const port = opts.port ?? Number(process.env.BENCH_SIZED_PORT ?? 55432);
  const dir = opts.dir ?? process.env.BENCH_SIZED_DIR ?? '/var/tmp/taskline-bench-pg';
  const bin = bindir();
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => {
    const full = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args]] : [path.join(bin, cmd), args];
    const r = spawnSync(full[0] as string, full[1] as string[], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout || String(r.error)).slice(-800)}`);
    return r.stdout;
  };
  const { locale, copied } = await admin(async (like) => {
    const locale = (await like.query<{ l: string }>('SELECT datcollate AS l FROM pg_database WHERE datname = current_database()')).rows[0]!.l;
    // Everything the machine's server sets from its configuration that changes plans or memory, except the buffers.
    const r = await like.query<{ name: string; setting: string }>(
      `SELECT name, current_setting(name) AS setting FROM pg_settings
       WHERE source IN ('configuration file', 'command line') AND context IN ('user', 'superuser', 'sighup', 'postmaster')
         AND name IN ('effective_cache_size', 'work_mem', 'maintenance_work_mem', 'random_page_cost', 'jit', 'max_connections',
                      'max_wal_size', 'min_wal_size', 'synchronous_commit', 'default_statistics_target', 'effective_io_concurrency')`,
    );
    return { locale, copied: r.rows.flatMap((x) => ['-c', `${x.name}=${x.setting}`]) };
  }, opts.like);
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    opts.log(`  sized: initdb ${dir} (locale ${locale})`);
    fs.mkdirSync(dir, { recursive: true });
    if (asRoot) execFileSync('chown', ['postgres:postgres', dir]);
    run('initdb', ['-D', dir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', `--locale=${locale}`, '--no-sync']);
  }
  const logFile = path.join(path.dirname(dir), `${path.basename(dir)}.log`);
  if (asRoot && !fs.existsSync(logFile)) {
    fs.writeFileSync(logFile, '');
    execFileSync('chown', ['postgres:postgres', logFile]);
  }
  const options = [
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=/tmp',
    '-c',
    `shared_buffers=${opts.sharedBuffers}`,
    ...copied,
  ];
  run('pg_ctl', ['-D', dir, '-l', logFile, '-w', '-t', '60', '-o', options.join(' '), 'start']);
  opts.log(`  sized: PostgreSQL on 127.0.0.1:${port}, shared_buffers ${opts.sharedBuffers} (${dir})`);
  let stopped = false;
  return {
    base: `postgres://postgres@127.0.0.1:${port}`,
    sharedBuffers: opts.sharedBuffers,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', dir, '-m', 'fast', '-w', 'stop']);
      } catch (err) {
        opts.log(`  sized: stopping the private server failed: ${(err as Error).message}`);
      }
    },
  };
}

export function databaseBytes(url: string): Promise<number> {
  return withPgClient(url, async (c) => Number((await c.query<{ b: string }>('SELECT pg_database_size(current_database())::text AS b')).rows[0]!.b));
}

/**
 * Read every table and index of the database (pg_prewarm): into shared_buffers ('buffer'), or only into the operating
 * system's page cache ('read'), where a server that has been running holds what does not fit in shared_buffers.
 * Returns the MB read.
 */
export function prewarm(url: string, mode: 'buffer' | 'read' = 'buffer'): Promise<number> {
  return withPgClient(url, async (c) => {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
    const r = await c.query<{ blocks: string }>(
      `SELECT coalesce(sum(pg_prewarm(c.oid, $1)), 0)::text AS blocks FROM pg_class c
       WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'i', 't', 'm')`,
      [mode],
    );
    return Math.round((Number(r.rows[0]!.blocks) * 8192) / 2 ** 20);
  });
}
