/**
 * The path a growing shop takes, with the commands the README gives: the production build runs on plain Node.js;
 * `taskline backup` copies the embedded store while the server runs and answers MCP calls, and `taskline restore`
 * brings it back whole; `taskline move-to-postgres` copies it into an empty PostgreSQL database where tokens,
 * sessions and passwords made before the move keep working.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { STORE, freshDatabase } from '../helpers/db.ts';
import { ROOT, runCli, startServerProcess, type ServerProc } from '../helpers/proc.ts';
import { rpc } from '../helpers/app.ts';
import { openPglite } from '../../src/platform/db/client.ts';
import { tableCounts } from '../../src/cli/storeCommands.ts';
import { WebClient } from '../web/client.ts';

// Inside the repository (test-output/ is ignored) so that the compiled code finds node_modules.
const work = path.join(ROOT, 'test-output', `grow-${randomBytes(4).toString('hex')}`);
const dist = path.join(work, 'dist');
const dataDir = path.join(work, 'data');
const restoredDir = path.join(work, 'restored');
const prodArgs = ['--enable-source-maps', path.join(dist, 'app/main.js')];
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { DATA_DIR: dataDir, ...env }, '', path.join(dist, 'cli/index.js'));

let demo: { token: string; workspaceId: string; password: string };
let cookieBeforeMove: string;

before(() => {
  fs.mkdirSync(work, { recursive: true });
  execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--out', dist], { stdio: 'pipe' });
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

const call = (id: number, name: string, args: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args },
});
const mcp = (s: ServerProc, id: number) =>
  rpc(`${s.url}/app/api/mcp/server/${demo.workspaceId}`, call(id, 'getTaskDetails', { taskNumber: 1 + (id % 400) }), { token: demo.token });

async function countsOf(dir: string) {
  const db = await openPglite(dir, 'test');
  try {
    return await tableCounts(db);
  } finally {
    await db.close();
  }
}

test('the production build: compiled JavaScript with source maps and the files it reads beside it, no TypeScript left', async () => {
  assert.ok(fs.existsSync(path.join(dist, 'app/main.js.map')), 'source maps');
  assert.ok(fs.existsSync(path.join(dist, 'platform/db/migrations/0001_init.sql')), 'migrations');
  assert.ok(fs.existsSync(path.join(dist, 'web/static/app.css')), 'static files');
  const js = (fs.readdirSync(dist, { recursive: true }) as string[]).filter((f) => f.endsWith('.js'));
  assert.ok(js.length > 50);
  const tsImports = js.filter((f) => /(from |import\()'[^']+\.tsx?'/.test(fs.readFileSync(path.join(dist, f), 'utf8')));
  assert.deepEqual(tsImports, [], 'no import of a .ts file is left: plain Node.js runs it (the next test starts it)');
});

test('backup while the server runs and answers MCP calls; restore into an empty directory holds everything', async () => {
  const server = await startServerProcess({ DATA_DIR: dataDir }, /Taskline is running/, prodArgs);
  try {
    const out = server.output();
    demo = {
      token: out.match(/MCP token:\s+(mcp_live_\S+)/)![1]!,
      workspaceId: out.match(/MCP endpoint:\s+\S+\/app\/api\/mcp\/server\/([0-9a-f-]{36})/)![1]!,
      password: out.match(/password: (\S+)/)![1]!,
    };
    assert.equal((await fetch(`${server.url}/readyz`)).status, 200);
    assert.equal((await mcp(server, 1)).status, 200, 'the compiled server answers MCP');
    const web = new WebClient(server.url);
    assert.equal((await web.signIn('admin@acme-repair.example', demo.password)).status, 303);
    cookieBeforeMove = web.cookieHeader();

    // MCP calls keep writing audit rows while the backup is taken.
    let stop = false;
    let calls = 0;
    let failed = 0;
    const load = (async () => {
      for (let i = 10; !stop; i++) {
        const r = await mcp(server, i);
        calls++;
        if (r.status !== 200) failed++;
      }
    })();
    const backup = await cli(['backup', '--out', path.join(work, 'shop.backup'), '--json']);
    stop = true;
    await load;
    assert.equal(backup.code, 0, backup.stderr);
    const b = JSON.parse(backup.stdout);
    assert.equal(b.via, 'server', 'taken by the running server, not by opening its directory');
    assert.ok(b.bytes > 1000);
    assert.ok(calls > 0 && failed === 0, `${calls} calls during the backup, ${failed} failed`);
  } finally {
    assert.equal(await server.stop(), 0);
  }
  const live = await countsOf(dataDir);

  const restored = await cli(['restore', path.join(work, 'shop.backup'), '--data-dir', restoredDir, '--json']);
  assert.equal(restored.code, 0, restored.stderr);
  const counts = JSON.parse(restored.stdout).counts as Record<string, number>;
  for (const t of ['workspaces', 'users', 'customers', 'tasks', 'comments', 'mcp_credentials', 'web_sessions'])
    assert.equal(counts[t], live[t], `${t}: the same rows`);
  assert.ok(counts.audit_events! > 0 && counts.audit_events! <= live.audit_events!, 'audit rows up to the moment of the backup');
  assert.ok(live.tasks! >= 500);

  const again = await cli(['restore', path.join(work, 'shop.backup'), '--data-dir', restoredDir]);
  assert.equal(again.code, 2, 'a non-empty directory is refused');
  assert.match(again.stderr, /not empty/);

  const onRestored = await startServerProcess({ DATA_DIR: restoredDir }, /Taskline is running/, prodArgs);
  try {
    assert.equal((await fetch(`${onRestored.url}/readyz`)).status, 200);
    assert.equal((await mcp(onRestored, 2)).status, 200, 'the credential made before the backup authenticates');
  } finally {
    await onRestored.stop();
  }
  const pg = await cli(['backup', '--out', path.join(work, 'x.backup')], { DATABASE_URL: 'postgres://127.0.0.1:5432/whatever' });
  assert.equal(pg.code, 2);
  assert.match(pg.stderr, /pg_dump/);
});

test('move-to-postgres copies everything into an empty database; tokens, sessions and passwords work after the move', {
  skip: STORE === 'pg' ? false : 'needs a PostgreSQL target: runs in the TEST_DATABASE_URL pass (CI runs both)',
}, async () => {
  const target = await freshDatabase();
  try {
    const moved = await cli(['move-to-postgres', '--to', target.url!, '--json']);
    assert.equal(moved.code, 0, moved.stderr);
    const report = JSON.parse(moved.stdout) as { tables: { table: string; rows: number; checksum: string }[] };
    const live = await countsOf(dataDir);
    for (const [t, n] of Object.entries(live)) assert.equal(report.tables.find((r) => r.table === t)?.rows, n, `${t} rows`);
    assert.ok(report.tables.every((r) => /^[0-9a-f]{32}$/.test(r.checksum)));

    const refused = await cli(['move-to-postgres', '--to', target.url!]);
    assert.equal(refused.code, 2, 'a non-empty target is refused');
    assert.match(refused.stderr, /not empty/);

    const server = await startServerProcess({ DATABASE_URL: target.url! }, /Taskline is running/, prodArgs);
    try {
      assert.equal((await mcp(server, 3)).status, 200, 'the MCP token from before the move');
      const session = await fetch(`${server.url}/tasks`, { headers: { cookie: cookieBeforeMove }, redirect: 'manual' });
      assert.equal(session.status, 200, 'the web session from before the move');
      assert.equal((await new WebClient(server.url).signIn('admin@acme-repair.example', demo.password)).status, 303, 'the password');
      // New rows continue the copied sequences.
      const web = new WebClient(server.url);
      await web.signIn('admin@acme-repair.example', demo.password);
      const created = await web.post('/tasks', {
        _csrf: await web.csrf('/tasks/new'),
        title: 'After the move',
        customerMode: 'new',
        customerName: 'New Customer',
      });
      assert.equal(created.status, 303, created.text.slice(0, 200));
      assert.match(created.location ?? '', new RegExp(`^/tasks/${live.tasks! + 1}\\?`), 'the next task number follows the copied ones');
    } finally {
      await server.stop();
    }
  } finally {
    await target.drop();
  }
});
