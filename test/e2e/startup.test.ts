import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, STORE } from '../helpers/db.ts';
import { runCli, startServerProcess } from '../helpers/proc.ts';
import { connectClient } from '../helpers/app.ts';

// The store under test: a fresh PostgreSQL database (with TASKLINE_DEMO=1), or a fresh embedded data dir.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskline-start-'));
const fresh = await freshDatabase();
const storeEnv = STORE === 'pg' ? { DATABASE_URL: fresh.url, TASKLINE_DEMO: '1' } : { DATA_DIR: dataDir };
after(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await fresh.drop();
});

test('first start creates the demo and prints secrets once; second start creates nothing', async () => {
  const first = await startServerProcess(storeEnv);
  let token: string;
  let wsId: string;
  try {
    const out = first.output();
    token = out.match(/MCP token:\s+(mcp_live_[A-Za-z0-9_-]{43})/)![1]!;
    wsId = out.match(/MCP endpoint:\s+http:\/\/localhost:\d+\/app\/api\/mcp\/server\/([0-9a-f-]{36})/)![1]!;
    assert.match(out, /Sign in:\s+admin@acme-repair\.example\s+password: \S+/);
    assert.match(
      out,
      /claude mcp add --transport http taskline http:\/\/localhost:\d+\/app\/api\/mcp\/server\/[0-9a-f-]{36} --header "Authorization: Bearer mcp_live_/,
    );
    assert.match(out, /"command": "npx"[\s\S]*"mcp-remote"/);
    assert.match(out, /~\/\.cursor\/mcp\.json/);
    assert.match(out, /\.vscode\/mcp\.json/);

    const health = await fetch(`${first.url}/healthz`);
    assert.equal(health.status, 200);
    const ready = await fetch(`${first.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { status: string }).status, 'ready');
    assert.ok(ready.headers.get('x-request-id'));

    // The official SDK client finds Russell Hale's tasks in the demo by phone and by name.
    const client = await connectClient(`${first.url}/app/api/mcp/server/${wsId}`, token);
    try {
      const { tools } = await client.listTools();
      assert.ok(tools.some((t) => t.name === 'searchWorkspaceTasks'));
      for (const query of ['7035974534', 'russell']) {
        const r = (await client.callTool({ name: 'searchWorkspaceTasks', arguments: { query } })) as unknown as {
          structuredContent: { hits: { customerName: string }[] };
        };
        const russell = r.structuredContent.hits.filter((h) => h.customerName === 'Russell Hale');
        assert.ok(russell.length >= 3, `${query}: Russell Hale's tasks found (${russell.length})`);
        assert.equal(r.structuredContent.hits[0]!.customerName, 'Russell Hale');
      }
    } finally {
      await client.close();
    }

    if (STORE === 'pglite') {
      // The embedded database belongs to the server: a CLI on the same directory fails fast and clearly.
      const started = Date.now();
      const cli = await runCli(['workspace', 'list'], { DATA_DIR: dataDir });
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /the server is running on .* — stop it, use the web app, or use DATABASE_URL/);
      assert.ok(Date.now() - started < 15_000);
    }
    // Logs are JSON lines and never contain the token or the admin password.
    const password = out.match(/password: (\S+)/)![1]!;
    await fetch(`${first.url}/readyz`, { headers: { authorization: `Bearer ${token}` } });
    const logs = out.split('\n').filter((l) => l.startsWith('{'));
    assert.ok(!logs.join('\n').includes(token));
    assert.ok(!logs.join('\n').includes(password));
  } finally {
    assert.equal(await first.stop('SIGTERM'), 0, 'graceful shutdown exits 0');
  }

  const second = await startServerProcess(storeEnv);
  try {
    const out = second.output();
    assert.doesNotMatch(out, /mcp_live_[A-Za-z0-9_-]{43}/);
    assert.doesNotMatch(out, /password:/);
    assert.match(out, /Acme Appliance Repair\s+MCP endpoint: http:\/\/localhost:\d+\/app\/api\/mcp\/server\//);
    assert.match(out, /credential create --workspace [0-9a-f-]{36} --name/);
    assert.equal((await fetch(`${second.url}/readyz`)).status, 200);
  } finally {
    assert.equal(await second.stop('SIGINT'), 0);
  }

  // Data intact after two graceful shutdowns: one workspace, ~500 tasks, the credential still valid.
  const env = STORE === 'pg' ? { DATABASE_URL: fresh.url } : { DATA_DIR: dataDir };
  const list = await runCli(['workspace', 'list', '--json'], env);
  assert.equal(list.code, 0, list.stderr);
  const workspaces = JSON.parse(list.stdout) as { id: string; name: string; taskCount: number }[];
  assert.equal(workspaces.length, 1);
  assert.equal(workspaces[0]!.id, wsId);
  assert.ok(workspaces[0]!.taskCount >= 450 && workspaces[0]!.taskCount <= 550, `≈500 tasks, got ${workspaces[0]!.taskCount}`);
  const creds = await runCli(['credential', 'list', '--workspace', wsId, '--json'], env);
  const parsed = JSON.parse(creds.stdout) as { preview: string; state: string }[];
  assert.equal(parsed.length, 1);
  assert.equal(parsed[0]!.state, 'active');
  assert.equal(parsed[0]!.preview, `${token.slice(0, 13)}…${token.slice(-4)}`);
});

test('bad configuration exits 2 with one line per problem; unreachable database exits 1 with one line', async () => {
  const bad = await runCli(['workspace', 'list'], { PORT: 'http', LOG_LEVEL: 'chatty', DATA_DIR: dataDir });
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 2);
  assert.match(bad.stderr, /PORT/);

  const { spawnSync } = await import('node:child_process');
  const { ROOT, childEnv } = await import('../helpers/proc.ts');
  const port = spawnSync(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], { cwd: ROOT, env: childEnv({ PORT: '99999' }), encoding: 'utf8' });
  assert.equal(port.status, 2);
  assert.match(port.stderr, /^taskline: invalid configuration: PORT/);

  const down = spawnSync(process.execPath, ['--import', 'tsx', 'src/app/main.ts'], {
    cwd: ROOT,
    env: childEnv({ PORT: '0', DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' }),
    encoding: 'utf8',
  });
  assert.equal(down.status, 1);
  assert.equal(down.stderr.trim().split('\n').length, 1, down.stderr);
  assert.match(down.stderr, /cannot connect to PostgreSQL at postgres:\/\/127\.0\.0\.1:1\/nowhere/);
});

test('SIGTERM with SHUTDOWN_DRAIN_MS: still serving while /readyz says draining, each answer closes its connection, then a clean exit', async () => {
  const s = await startServerProcess({ ...storeEnv, SHUTDOWN_DRAIN_MS: '1500', TASKLINE_DEMO: '0' });
  assert.equal((await fetch(`${s.url}/readyz`)).status, 200);
  const started = Date.now();
  const exited = s.stop('SIGTERM');
  let ready = await fetch(`${s.url}/readyz`);
  for (let i = 0; i < 50 && ready.status === 200; i++) {
    await new Promise((r) => setTimeout(r, 20));
    ready = await fetch(`${s.url}/readyz`);
  }
  assert.equal(ready.status, 503, 'not ready once SIGTERM arrived');
  assert.equal(((await ready.json()) as { status: string }).status, 'draining');
  const health = await fetch(`${s.url}/healthz`);
  assert.equal(health.status, 200, 'still serving');
  assert.equal(health.headers.get('connection'), 'close', 'and no connection is kept for reuse');
  assert.equal(await exited, 0);
  assert.ok(Date.now() - started >= 1400, 'it drained for SHUTDOWN_DRAIN_MS before stopping');
});
