import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

export type Row = Record<string, unknown>;
export interface Result<T> {
  rows: T[];
  rowCount: number;
}

/**
 * A hot statement of fixed shape, run as a named prepared statement on PostgreSQL: parsed once per connection instead
 * of on every call — planning was most of the database's CPU on the MCP hot path (bench/sql-cost.ts).
 * - Plain (`prepared(name, text)`): PostgreSQL moves to a generic plan after five executions when it is as cheap. Only
 *   for statements whose best plan does not depend on the parameter values: equality and range lookups on indexed
 *   keys, inserts.
 * - Generic (`{ generic: true }`): planned once per connection, never again — run on connections whose
 *   plan_cache_mode is force_generic_plan (a second, smaller pool), because PostgreSQL's own choice keeps re-planning a
 *   big statement whose custom plans it estimates cheaper. For statements built so that the generic plan is the
 *   right one whatever the values: prefix lookups as ranges (not LIKE), fences (MATERIALIZED, OFFSET 0) and LIMITs
 *   that fix the plan's shape (the search statements; test/db/search-plans.test.ts checks their generic plans).
 *   Inside a transaction they run on the transaction's connection as unnamed statements, planned for their values.
 * Statements with LIKE patterns or trigram similarity on values stay unnamed: every execution is planned for them.
 */
export interface Prepared {
  readonly name: string;
  readonly text: string;
  readonly generic?: boolean;
}

const preparedNames = new Map<string, string>();

/** Declare a prepared statement. Names are global per connection, so each name has one text. */
export function prepared(name: string, text: string, opts: { generic?: boolean } = {}): Prepared {
  const known = preparedNames.get(name);
  if (known !== undefined && known !== text) throw new Error(`prepared statement "${name}" is declared twice with different SQL`);
  preparedNames.set(name, text);
  return Object.freeze({ name, text, ...(opts.generic ? { generic: true } : {}) });
}

export type Sql = string | Prepared;
const textOf = (sql: Sql) => (typeof sql === 'string' ? sql : sql.text);

/** Anything that runs one parameterized statement (the database, or a transaction). */
export interface Queryable {
  query<T = Row>(sql: Sql, params?: readonly unknown[]): Promise<Result<T>>;
}

/** A transaction: statements, and whole scripts (a migration file) through the driver's multi-statement support. */
export interface Transaction extends Queryable {
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pg' | 'pglite';
  /** Human description of where the data lives (no credentials). */
  readonly where: string;
  /** Run fn in one transaction, on one connection; rolls back when it throws. */
  tx<T>(fn: (q: Transaction) => Promise<T>): Promise<T>;
  /** Run a multi-statement SQL script (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Subscribe to NOTIFY on `channel`. onReady: listening (again — anything sent while not listening was missed);
   * onLost: the subscription broke (on PostgreSQL it reconnects with backoff, then calls onReady). Resolves once the
   * first attempt is done; the returned function unsubscribes.
   */
  listen(channel: string, handlers: ListenHandlers): Promise<() => Promise<void>>;
  /** In-use / waiting connections, for metrics. */
  poolStats(): { total: number; idle: number; waiting: number };
  /**
   * The embedded store only: a consistent copy of the whole data directory (a gzipped tar, taken between two
   * statements after a checkpoint — what a crash at that instant would leave, which PostgreSQL recovers exactly).
   */
  snapshot?(): Promise<Uint8Array>;
  close(): Promise<void>;
}

export interface ListenHandlers {
  onMessage(payload: string): void;
  onReady(): void;
  onLost(): void;
}

export class DbUnavailableError extends Error {}

/** The embedded database belongs to one process; this error says who holds it. */
export class DataDirLockedError extends Error {}

// int8 (counts, bigint ids) as JS numbers, the same as PGlite returns them.
pg.types.setTypeParser(20, (v) => Number(v));

export async function openPg(url: string, opts: { max?: number; applicationName?: string } = {}): Promise<Db> {
  const poolOf = (max: number, options?: string) => {
    const p = new pg.Pool({
      connectionString: url,
      max,
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30_000,
      application_name: opts.applicationName ?? 'taskline',
      ...(options ? { options } : {}),
    });
    p.on('error', () => {
      /* idle client errors (server restart) are surfaced on the next query */
    });
    return p;
  };
  const pool = poolOf(opts.max ?? 10);
  // Generic prepared statements (see Prepared), on connections of their own, opened when first needed.
  let genericPool: pg.Pool | null = null;
  // Never parallel and never JIT-compiled: a generic plan prices a gated step (one that usually does nothing) at its
  // guessed size. A Gather starts its workers even when the step below it does nothing — 40–60 ms for nothing on a
  // 1M-task search; a guessed cost over jit_above_cost compiles the statement on every execution — 0.9 s for a
  // 1 ms misspelt-name lookup whose per-customer subquery the planner priced for 3,333 customers.
  const generic = () =>
    (genericPool ??= poolOf(
      Math.max(2, Math.ceil((opts.max ?? 10) / 2)),
      '-c plan_cache_mode=force_generic_plan -c max_parallel_workers_per_gather=0 -c jit=off',
    ));
  const u = new URL(url);
  const where = `postgres://${u.hostname}${u.port ? ':' + u.port : ''}${u.pathname}`;
  const listeners = new Set<() => Promise<void>>();
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw new DbUnavailableError(`cannot connect to PostgreSQL at ${where}: ${(err as Error).message || (err as { code?: string }).code}`);
  }
  // A plain string uses the unnamed statement (a custom plan per execution); a Prepared one is parsed once per connection.
  const pgQuery = (on: pg.Pool | pg.PoolClient, sql: Sql, params?: readonly unknown[]) =>
    typeof sql === 'string' ? on.query(sql, params as unknown[]) : on.query({ name: sql.name, text: sql.text, values: params as unknown[] });
  // No async wrapper around the driver's promise (one layer fewer on every statement); a synchronous throw still
  // comes back as a rejection.
  const query = <T>(sql: Sql, params?: readonly unknown[]): Promise<Result<T>> => {
    try {
      return pgQuery(typeof sql !== 'string' && sql.generic ? generic() : pool, sql, params).then((r) => ({
        rows: r.rows as T[],
        rowCount: r.rowCount ?? 0,
      }));
    } catch (err) {
      return Promise.reject(err);
    }
  };
  return {
    kind: 'pg',
    where,
    query,
    async tx(fn) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const q: Transaction = {
          async query<T>(sql: Sql, params?: readonly unknown[]) {
            // A generic statement here is on an ordinary connection: unnamed, planned for its values (see Prepared).
            const r = await pgQuery(client, typeof sql !== 'string' && sql.generic ? sql.text : sql, params);
            return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
          },
          // No parameters: the simple query protocol, which runs every statement of the script.
          async exec(sql: string) {
            await client.query(sql);
          },
        };
        const out = await fn(q);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async exec(sql) {
      await pool.query(sql);
    },
    listen: (channel, handlers) => listenPg(url, `${opts.applicationName ?? 'taskline'}-listen`, channel, handlers, listeners),
    poolStats: () => {
      const g = genericPool;
      return {
        total: pool.totalCount + (g?.totalCount ?? 0),
        idle: pool.idleCount + (g?.idleCount ?? 0),
        waiting: pool.waitingCount + (g?.waitingCount ?? 0),
      };
    },
    async close() {
      await Promise.all([...listeners].map((stop) => stop()));
      await Promise.all([pool.end(), genericPool?.end()]);
    },
  };
}

/**
 * LISTEN on a connection of its own (outside the pool, which would hand it to queries). When that connection ends —
 * the server restarted, a network blip, pg_terminate_backend — onLost fires and it reconnects with backoff (0.5 s
 * doubling to 30 s); onReady fires each time LISTEN is in place.
 */
async function listenPg(
  url: string,
  applicationName: string,
  channel: string,
  h: ListenHandlers,
  registry: Set<() => Promise<void>>,
): Promise<() => Promise<void>> {
  let current: pg.Client | null = null;
  let stopped = false;
  let delay = 500;
  let timer: NodeJS.Timeout | null = null;
  const retry = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = null;
      void connect();
    }, delay);
    timer.unref();
    delay = Math.min(delay * 2, 30_000);
  };
  const connect = async () => {
    const c = new pg.Client({ connectionString: url, application_name: applicationName, connectionTimeoutMillis: 5000 });
    c.on('notification', (n) => {
      if (n.channel === channel) h.onMessage(n.payload ?? '');
    });
    c.on('error', () => {
      /* followed by 'end' */
    });
    c.on('end', () => {
      if (current !== c) return;
      current = null;
      h.onLost();
      retry();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch {
      c.end().catch(() => {});
      h.onLost();
      retry();
      return;
    }
    if (stopped) return void c.end().catch(() => {});
    current = c;
    delay = 500;
    h.onReady();
  };
  const stop = async () => {
    stopped = true;
    registry.delete(stop);
    if (timer) clearTimeout(timer);
    const c = current;
    current = null;
    await c?.end().catch(() => {});
  };
  registry.add(stop);
  await connect();
  return stop;
}

const LOCK_FILE = 'taskline.lock';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take the data directory for this process, or fail fast naming who has it. Returns the release function. */
export function lockDataDir(dataDir: string, role: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify({ pid: process.pid, role, since: new Date().toISOString() }), { flag: 'wx' });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        try {
          const held = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid: number };
          if (held.pid === process.pid) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid?: number; role?: string } = {};
      try {
        holder = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        /* half-written or unreadable: treat as stale */
      }
      if (holder.pid && holder.pid !== process.pid && pidAlive(holder.pid)) {
        const what =
          holder.role === 'server'
            ? 'the server is running'
            : `another taskline process (${holder.role ?? 'unknown'}, pid ${holder.pid}) is using it`;
        throw new DataDirLockedError(
          holder.role === 'server'
            ? `${what} on ${dataDir} — stop it, use the web app, or use DATABASE_URL`
            : `the embedded database in ${dataDir} is busy: ${what} — wait for it to finish, or use DATABASE_URL`,
        );
      }
      fs.rmSync(file, { force: true }); // stale lock from a process that died
    }
  }
  throw new DataDirLockedError(`could not lock ${dataDir}; remove ${file} if no taskline process is running`);
}

/** Open the embedded database; with `restoreFrom` (a snapshot), create it from that copy in an empty dataDir. */
export async function openPglite(dataDir: string | null, role = 'cli', opts: { restoreFrom?: Uint8Array } = {}): Promise<Db> {
  const release = dataDir ? lockDataDir(dataDir, role) : () => {};
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
    const { unaccent } = await import('@electric-sql/pglite/contrib/unaccent');
    const { fuzzystrmatch } = await import('@electric-sql/pglite/contrib/fuzzystrmatch');
    const db = await PGlite.create({
      dataDir: dataDir ?? undefined,
      extensions: { pg_trgm, unaccent, fuzzystrmatch },
      ...(opts.restoreFrom ? { loadDataDir: new Blob([new Uint8Array(opts.restoreFrom)], { type: 'application/x-gzip' }) } : {}),
    });
    let waiting = 0;
    // PGlite has no named statements in its API; the embedded database plans every statement.
    const query = async <T>(sql: Sql, params?: readonly unknown[]): Promise<Result<T>> => {
      waiting++;
      try {
        const r = await db.query<T>(textOf(sql), params as unknown[]);
        return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
      } finally {
        waiting--;
      }
    };
    return {
      kind: 'pglite',
      where: dataDir ? `embedded PGlite in ${dataDir}` : 'embedded PGlite (in memory)',
      query,
      tx: (fn) =>
        db.transaction(async (t) =>
          fn({
            async query<T>(sql: Sql, params?: readonly unknown[]) {
              const r = await t.query<T>(textOf(sql), params as unknown[]);
              return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
            },
            async exec(sql: string) {
              await t.exec(sql);
            },
          }),
        ),
      async exec(sql) {
        await db.exec(sql);
      },
      // One process owns the embedded database, so every NOTIFY comes from this process and none can be missed.
      async listen(channel, h) {
        const unlisten = await db.listen(channel, (payload) => h.onMessage(payload));
        h.onReady();
        return unlisten;
      },
      poolStats: () => ({ total: 1, idle: waiting === 0 ? 1 : 0, waiting: Math.max(0, waiting - 1) }),
      async snapshot() {
        await db.exec('CHECKPOINT');
        return new Uint8Array(await (await db.dumpDataDir('gzip')).arrayBuffer());
      },
      async close() {
        try {
          await db.close();
        } finally {
          release();
        }
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** DATABASE_URL → pg pool; otherwise the embedded database in dataDir. */
export function openDb(opts: { databaseUrl?: string; dataDir: string; role?: string; poolMax?: number }): Promise<Db> {
  return opts.databaseUrl
    ? openPg(opts.databaseUrl, { max: opts.poolMax, applicationName: `taskline-${opts.role ?? 'cli'}` })
    : openPglite(opts.dataDir, opts.role ?? 'cli');
}
