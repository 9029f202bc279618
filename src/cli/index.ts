/** `taskline <command>`: picks the command, parses its arguments, opens and migrates the database, prints the result and
 * turns every failure into a message and an exit code (2: usage, 1: refused or failed). */
import { parseArgs } from 'node:util';
import { loadConfigOrReport } from '../platform/config.ts';
import { DataDirLockedError, DbUnavailableError, openDb, type Db } from '../platform/db/client.ts';
import { migrate, SchemaTooNewError } from '../platform/db/migrate.ts';
import { DomainError } from '../domain/errors.ts';
import { UsageError } from './args.ts';
import { COMMANDS } from './commands.ts';

export function usage(): string {
  return [
    'usage: taskline <command> [options]   (every command takes --json)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => '  ' + (c.usage.startsWith(name) ? c.usage : `${name} ${c.usage}`)),
    '',
    'Environment: DATABASE_URL (PostgreSQL; unset → embedded database in DATA_DIR, default ./data).',
  ].join('\n');
}

export async function runCli(argv: string[]): Promise<number> {
  const name = Object.hasOwn(COMMANDS, `${argv[0]} ${argv[1]}`) ? `${argv[0]} ${argv[1]}` : argv[0];
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? process.stdout : process.stderr).write(usage() + '\n');
    return name ? 0 : 2;
  }
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) {
    process.stderr.write(`taskline: unknown command "${argv.slice(0, 2).join(' ')}"\n\n${usage()}\n`);
    return 2;
  }
  const rest = argv.slice(name.split(' ').length);
  const json = rest.includes('--json');
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: cmd.options, strict: true, allowPositionals: true });
    if (parsed.positionals.length > (cmd.positionals ?? 0))
      throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[cmd.positionals ?? 0])}`);
  } catch (err) {
    process.stderr.write(
      `taskline ${name}: ${(err as Error).message}\nusage: taskline ${cmd.usage.startsWith(name) ? cmd.usage : `${name} ${cmd.usage}`}\n`,
    );
    return 2;
  }
  const config = loadConfigOrReport();
  if (!config) return 2;
  let db: Db | undefined;
  try {
    // Commands without `db` open what they need themselves (serve, backup, restore, move-to-postgres).
    if (cmd.db) {
      db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, role: `cli ${name}` });
      if (name !== 'migrate') await migrate(db);
    }
    const out = await cmd.run({
      values: parsed.values as Record<string, string | boolean | undefined>,
      positionals: parsed.positionals,
      db: db as Db,
      config,
      json,
    });
    if (out !== undefined) process.stdout.write((json ? JSON.stringify(out, null, 2) : String(out)) + '\n');
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`taskline ${name}: ${err.message}\nusage: taskline ${cmd.usage.startsWith(name) ? cmd.usage : `${name} ${cmd.usage}`}\n`);
      return 2;
    }
    if (err instanceof DomainError || err instanceof DbUnavailableError || err instanceof DataDirLockedError || err instanceof SchemaTooNewError) {
      process.stderr.write(`taskline ${name}: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`taskline ${name}: unexpected error: ${(err as Error).message}\n`);
    return 1;
  } finally {
    await db?.close().catch(() => {});
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/src/cli/index.ts')) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
