import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase, STORE } from '../helpers/db.ts';
import { runCli } from '../helpers/proc.ts';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskline-cli-'));
const fresh = await freshDatabase();
const env = STORE === 'pg' ? { DATABASE_URL: fresh.url } : { DATA_DIR: dataDir };
after(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await fresh.drop();
});

const json = async (args: string[], stdin = '') => {
  const r = await runCli([...args, '--json'], env, stdin);
  assert.equal(r.code, 0, `taskline ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
};

test('workspace, user, credential and audit commands with --json', async () => {
  const ws = await json(['workspace', 'create', '--name', 'Bright Plumbing']);
  assert.match(ws.id, /^[0-9a-f-]{36}$/);
  assert.match(ws.mcpUrl, new RegExp(`/app/api/mcp/server/${ws.id}$`));
  const updated = await json(['workspace', 'update', ws.id, '--allow-comments', 'on', '--min-factors', '3', '--mcp', 'on']);
  assert.equal(updated.allowCustomerComments, true);
  assert.equal(updated.minVerificationFactors, 3);
  const listed = await json(['workspace', 'list']);
  assert.deepEqual(
    listed.map((w: { name: string }) => w.name),
    ['Bright Plumbing'],
  );

  const generated = await json(['user', 'create', '--workspace', ws.id, '--email', 'Owner@Bright.example', '--role', 'owner']);
  assert.match(generated.password, /^[a-z2-9-]{23}$/);
  const piped = await json(['user', 'create', '--workspace', ws.id, '--email', 'tech@bright.example', '--role', 'member'], 'correct horse battery\n');
  assert.equal(piped.password, undefined);
  const dup = await runCli(['user', 'create', '--workspace', ws.id, '--email', 'owner@bright.example', '--role', 'admin'], env);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /already exists/);

  const cred = await json(['credential', 'create', '--workspace', ws.id, '--name', 'x', '--factors', '3', '--expires-in', '90d', '--reveal-contact']);
  assert.match(cred.token, /^mcp_live_[A-Za-z0-9_-]{43}$/);
  assert.equal(cred.preview, `${cred.token.slice(0, 13)}…${cred.token.slice(-4)}`);
  assert.equal(cred.state, 'active');
  assert.equal(cred.verificationFactors, 3);
  assert.equal(cred.revealCustomerContact, true);
  const days = (new Date(cred.expiresAt).getTime() - Date.now()) / 86_400_000;
  assert.ok(days > 89.9 && days <= 90, `expires in ~90 days (${days})`);

  const human = await runCli(
    ['credential', 'create', '--workspace', ws.id, '--name', 'human', '--tools', 'searchWorkspaceTasks,getTaskDetails', '--factors', '3'],
    env,
  );
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /token \(shown only now — copy it\): mcp_live_/);
  assert.match(human.stdout, /claude mcp add --transport http taskline/);

  const list = await runCli(['credential', 'list', '--workspace', ws.id, '--json'], env);
  assert.equal(list.code, 0);
  assert.ok(!list.stdout.includes(cred.token), 'list never prints a token');
  assert.doesNotMatch(list.stdout, /mcp_live_[A-Za-z0-9_-]{43}/);
  const creds = JSON.parse(list.stdout);
  assert.equal(creds.length, 2);
  assert.deepEqual(creds.find((c: { name: string }) => c.name === 'human').tools, ['searchWorkspaceTasks', 'getTaskDetails']);

  const revoked = await json(['credential', 'revoke', cred.id]);
  assert.equal(revoked.state, 'revoked');
  const after = await json(['credential', 'list', '--workspace', ws.id]);
  assert.equal(after.find((c: { id: string }) => c.id === cred.id).state, 'revoked');

  const audit = await json(['audit', '--workspace', ws.id, '--limit', '10']);
  // The CLI's changes are audited like the web app's (by the same domain commands), with no staff member on them.
  assert.deepEqual(
    audit.map((e: { action: string }) => e.action),
    ['credential.revoke', 'credential.create', 'credential.create', 'workspace.update'],
  );
  assert.ok(audit.every((e: { userId: string | null }) => e.userId === null));

  const seeded = await json(['seed', '--workspace', ws.id, '--tasks', '300', '--customers', '50', '--seed', '7']);
  assert.equal(seeded.tasks, 300);
  assert.equal(seeded.customers, 50);
  assert.equal(seeded.firstNumber, 1);
  assert.equal(seeded.lastNumber, 300);
});

test('usage errors exit 2 with usage; failures exit 1; errors go to stderr', async () => {
  const unknownFlag = await runCli(['workspace', 'list', '--bogus'], env);
  assert.equal(unknownFlag.code, 2);
  assert.match(unknownFlag.stderr, /--bogus/);
  assert.match(unknownFlag.stderr, /usage: taskline workspace list/);
  assert.equal(unknownFlag.stdout, '');

  const unknownCmd = await runCli(['frobnicate'], env);
  assert.equal(unknownCmd.code, 2);
  assert.match(unknownCmd.stderr, /unknown command "frobnicate"/);

  const none = await runCli([], env);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /usage: taskline <command>/);

  const missing = await runCli(['credential', 'create', '--name', 'x'], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /--workspace is required/);

  const badDuration = await runCli(
    ['credential', 'create', '--workspace', '00000000-0000-4000-8000-000000000000', '--name', 'x', '--expires-in', 'soon'],
    env,
  );
  assert.equal(badDuration.code, 2);
  assert.match(badDuration.stderr, /--expires-in takes a duration/);

  const noWs = await runCli(['credential', 'list', '--workspace', '00000000-0000-4000-8000-000000000000'], env);
  assert.equal(noWs.code, 1);
  assert.match(noWs.stderr, /no workspace with id/);

  const noCred = await runCli(['credential', 'revoke', 'nope'], env);
  assert.equal(noCred.code, 1);
  assert.match(noCred.stderr, /no credential with id nope/);

  const help = await runCli(['--help'], env);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /credential create --workspace W --name N/);
});

test('team commands: user invite, list, role, deactivate, reactivate, reset-password — the rules of the web, exit codes of the CLI', async () => {
  const ws = await json(['workspace', 'create', '--name', 'Team Shop']);
  await json(['user', 'create', '--workspace', ws.id, '--email', 'boss@team.example', '--role', 'owner']);
  const weak = await runCli(['user', 'create', '--workspace', ws.id, '--email', 'weak@team.example', '--role', 'member'], env, 'password1234\n');
  assert.equal(weak.code, 1);
  assert.match(weak.stderr, /most common/);

  const invited = await json(['user', 'invite', '--workspace', ws.id, '--email', 'New@Team.example', '--role', 'admin']);
  assert.match(invited.url, /\/invite\?token=/);
  assert.equal(invited.mailed, 'off', 'no SMTP_URL: nothing is sent');
  const human = await runCli(['user', 'invite', '--workspace', ws.id, '--email', 'other@team.example', '--role', 'member'], env);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /link \(shown only now, works once until .+ UTC\):\n {2}http/);

  const listed = await json(['user', 'list', '--workspace', ws.id]);
  assert.deepEqual(
    listed.users.map((u: { email: string; role: string; status: string }) => [u.email, u.role, u.status]),
    [['boss@team.example', 'owner', 'active']],
  );
  assert.deepEqual(listed.invitations.map((i: { email: string }) => i.email).sort(), ['New@Team.example', 'other@team.example']);

  await json(['user', 'create', '--workspace', ws.id, '--email', 'tech@team.example', '--role', 'member']);
  const promoted = await json(['user', 'role', '--workspace', ws.id, '--user', 'TECH@team.example', '--role', 'admin']);
  assert.equal(promoted.role, 'admin');
  const lastOwner = await runCli(['user', 'role', '--workspace', ws.id, '--user', 'boss@team.example', '--role', 'member'], env);
  assert.equal(lastOwner.code, 1);
  assert.match(lastOwner.stderr, /last active owner/);
  const nobody = await runCli(['user', 'deactivate', '--workspace', ws.id, '--user', 'ghost@team.example'], env);
  assert.equal(nobody.code, 2, 'an unknown --user is a usage error');
  assert.match(nobody.stderr, /no staff member "ghost@team.example"/);
  const badRole = await runCli(['user', 'role', '--workspace', ws.id, '--user', 'tech@team.example', '--role', 'boss'], env);
  assert.equal(badRole.code, 2);

  const off = await json(['user', 'deactivate', '--workspace', ws.id, '--user', promoted.id]);
  assert.equal(off.status, 'deactivated');
  const noReset = await runCli(['user', 'reset-password', '--workspace', ws.id, '--user', 'tech@team.example'], env);
  assert.equal(noReset.code, 1);
  assert.match(noReset.stderr, /deactivated/);
  await json(['user', 'reactivate', '--workspace', ws.id, '--user', 'tech@team.example']);
  const reset = await json(['user', 'reset-password', '--workspace', ws.id, '--user', 'tech@team.example']);
  assert.match(reset.url, /\/reset\?token=/);
  const hours = (new Date(reset.expiresAt).getTime() - Date.now()) / 3_600_000;
  assert.ok(hours > 23.9 && hours <= 24);

  const audit = await json(['audit', '--workspace', ws.id, '--limit', '20']);
  const actions = audit.map((e: { action: string }) => e.action);
  for (const a of ['account.invite', 'account.role', 'account.deactivate', 'account.reactivate', 'account.reset_link'])
    assert.ok(actions.includes(a), a);
});
