/** `taskline backup|restore|move-to-postgres`: copies of the embedded store (PostgreSQL has pg_dump for this). */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../platform/config.ts';
import { openPg, openPglite, type Db } from '../platform/db/client.ts';
import { copyDatabase, tablesInOrder } from '../platform/db/copy.ts';
import { SNAPSHOT_PATH, readControlFile } from '../platform/db/control.ts';
import { migrate } from '../platform/db/migrate.ts';
import { JSON_OPT, UsageError, need, type Command } from './args.ts';

/** The tables whose rows a restore reports, to compare with the source. */
export const COUNTED_TABLES = ['workspaces', 'users', 'customers', 'tasks', 'comments', 'mcp_credentials', 'audit_events', 'web_sessions'] as const;

export async function tableCounts(db: Db): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const t of COUNTED_TABLES) out[t] = (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${t}`)).rows[0]!.n;
  return out;
}

function noPostgres(config: Config, what: string) {
  if (config.databaseUrl)
    throw new UsageError(
      `${what} is for the embedded store; with DATABASE_URL use PostgreSQL's tools: pg_dump -Fc -f taskline.dump "$DATABASE_URL" and pg_restore -d "$NEW_DATABASE_URL" taskline.dump`,
    );
}

/** The embedded store's directory (--data-dir, else DATA_DIR), which must hold a database. */
function storeDir(values: Record<string, string | boolean | undefined>, config: Config): string {
  const dataDir = (values['data-dir'] as string | undefined) ?? config.dataDir;
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) throw new UsageError(`${dataDir} holds no Taskline database (set DATA_DIR, or --data-dir)`);
  return dataDir;
}

/** A snapshot of the embedded store: from the running server if there is one, else straight from the directory. */
async function takeSnapshot(dataDir: string): Promise<{ archive: Uint8Array; via: 'server' | 'directory' }> {
  const control = readControlFile(dataDir);
  if (control) {
    const res = await fetch(`${control.url}${SNAPSHOT_PATH}`, { method: 'POST', headers: { authorization: `Bearer ${control.secret}` } });
    if (!res.ok) throw new Error(`the server on ${dataDir} refused the snapshot (HTTP ${res.status}): ${(await res.text()).slice(0, 200)}`);
    return { archive: new Uint8Array(await res.arrayBuffer()), via: 'server' };
  }
  const db = await openPglite(dataDir, 'cli backup');
  try {
    return { archive: await db.snapshot!(), via: 'directory' };
  } finally {
    await db.close();
  }
}

/** Rows in any table but the migration bookkeeping: a target that has them is not empty. */
async function rowsIn(db: Db): Promise<string[]> {
  const full: string[] = [];
  for (const t of await tablesInOrder(db)) {
    if (t.name === 'schema_migrations') continue;
    if ((await db.query(`SELECT 1 FROM "${t.name}" LIMIT 1`)).rows.length) full.push(t.name);
  }
  return full;
}

const redact = (url: string) => url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');

export const STORE_COMMANDS: Record<string, Command> = {
  backup: {
    usage: 'backup --out FILE [--data-dir DIR]   consistent copy of the embedded store, also while the server runs',
    options: { ...JSON_OPT, out: { type: 'string' }, 'data-dir': { type: 'string' } },
    async run({ values, config, json }) {
      noPostgres(config, 'backup');
      const out = path.resolve(need(values.out, '--out'));
      const dataDir = storeDir(values, config);
      const { archive, via } = await takeSnapshot(dataDir);
      // Written beside the target and renamed: a backup file is whole or absent.
      const tmp = `${out}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, archive, { mode: 0o600 });
      fs.renameSync(tmp, out);
      const sha256 = createHash('sha256').update(archive).digest('hex');
      return json
        ? { file: out, bytes: archive.length, sha256, via }
        : `backup of ${dataDir} written to ${out} (${(archive.length / 1e6).toFixed(1)} MB, sha256 ${sha256.slice(0, 16)}…, ${via === 'server' ? 'taken by the running server' : 'server not running'})`;
    },
  },
  restore: {
    usage: 'restore FILE --data-dir DIR   restore a backup into an empty directory, then start with DATA_DIR=DIR',
    options: { ...JSON_OPT, 'data-dir': { type: 'string' } },
    positionals: 1,
    async run({ values, positionals, config, json }) {
      noPostgres(config, 'restore');
      const file = positionals[0];
      if (!file) throw new UsageError('name the backup file: taskline restore FILE --data-dir DIR');
      const dir = path.resolve(need(values['data-dir'], '--data-dir'));
      if (fs.existsSync(dir) && fs.readdirSync(dir).length) throw new UsageError(`${dir} is not empty: restore into a new or empty directory`);
      const archive = new Uint8Array(fs.readFileSync(file));
      const db = await openPglite(dir, 'cli restore', { restoreFrom: archive });
      try {
        const applied = (await migrate(db)).applied.length;
        const counts = await tableCounts(db);
        return json
          ? { dataDir: dir, counts, migrationsApplied: applied }
          : `restored into ${dir}: ${Object.entries(counts)
              .map(([t, n]) => `${n} ${t}`)
              .join(', ')}\n  start it with: DATA_DIR=${dir} npm run start:prod   (or taskline serve)`;
      } finally {
        await db.close();
      }
    },
  },
  'move-to-postgres': {
    usage: 'move-to-postgres --to postgres://… [--data-dir DIR]   copy the embedded store into an empty PostgreSQL database (stop the server first)',
    options: { ...JSON_OPT, to: { type: 'string' }, 'data-dir': { type: 'string' } },
    async run({ values, config, json }) {
      if (config.databaseUrl) throw new UsageError('the source is the embedded store: unset DATABASE_URL, and name the target with --to');
      const to = need(values.to, '--to');
      if (!/^postgres(ql)?:\/\//.test(to)) throw new UsageError('--to must be a postgres:// URL');
      const dataDir = storeDir(values, config);
      // The embedded store first: while the server runs on it, this fails at once and nothing is touched.
      const source = await openPglite(dataDir, 'cli move-to-postgres');
      let target: Db | undefined;
      try {
        target = await openPg(to, { max: 2, applicationName: 'taskline-move' });
        await migrate(target);
        const full = await rowsIn(target);
        if (full.length) throw new UsageError(`the target database is not empty (rows in ${full.join(', ')}): move into a new, empty database`);
        await migrate(source);
        const started = Date.now();
        const reports = await copyDatabase(source, target, {
          skip: ['schema_migrations'],
          onProgress: json ? undefined : (table, rows) => process.stderr.write(`\r  ${table}: ${rows} rows   `),
        }).catch((err: Error) => {
          throw new Error(`${err.message} — the target may hold a partial copy: drop and recreate it before trying again`);
        });
        if (!json) process.stderr.write('\n');
        const seconds = (Date.now() - started) / 1000;
        return json
          ? { tables: reports, seconds, databaseUrl: redact(to) }
          : [
              `copied ${dataDir} into ${redact(to)} in ${seconds.toFixed(1)} s; row counts and checksums match:`,
              ...reports.map((r) => `  ${r.table.padEnd(24)} ${String(r.rows).padStart(9)} rows  md5 ${r.checksum}`),
              '',
              'Start Taskline on PostgreSQL with:',
              `  DATABASE_URL=${redact(to)} npm run start:prod`,
              `The embedded store in ${dataDir} is unchanged; keep it until you are happy, then archive it (taskline backup).`,
            ].join('\n');
      } finally {
        await source.close();
        await target?.close();
      }
    },
  },
};
