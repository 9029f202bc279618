/**
 * Team accounts, every rule on the store under test: who may change whom, the last owner, one-time links (single
 * use, expiry, replacement), deactivation ending sessions and grants' authority, joining with an existing password,
 * rehashing old password hashes on sign-in, passwords that are refused, and the throttle on "forgot password".
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorkspace, type Workspace } from '../../src/domain/workspaces.ts';
import { createUser, type User } from '../../src/domain/users.ts';
import {
  acceptInvitation,
  changeOwnPassword,
  changeRole,
  createResetLink,
  deactivateUser,
  inviteStaff,
  listInvitations,
  listTeam,
  peekLink,
  reactivateUser,
  requestPasswordReset,
  resetPasswordWithLink,
  revokeInvitation,
} from '../../src/domain/team.ts';
import { checkPassword, recordSignIn } from '../../src/domain/signin.ts';
import { createSession, getSession, listUserSessions } from '../../src/domain/sessions.ts';
import { countResetRequest, MAX_RESET_REQUESTS_PER_EMAIL } from '../../src/domain/throttle.ts';
import { listAudit } from '../../src/domain/audit.ts';
import { createTask } from '../../src/domain/tasks.ts';
import { passwordProblem } from '../../src/domain/passwords.ts';
import { hashPassword, PASSWORD_PARAMS } from '../../src/platform/crypto/password.ts';
import { testDb, type TestDb } from '../helpers/db.ts';

const PW = 'a-long-enough-password';
let db: TestDb;
let ws: Workspace;
let owner: User;
let admin: User;
let member: User;

before(async () => {
  db = await testDb();
  ws = await createWorkspace(db, { name: 'Team Rules' });
  owner = await createUser(db, ws.id, { email: 'owner@team.example', name: 'Olive Owner', role: 'owner', password: PW });
  admin = await createUser(db, ws.id, { email: 'admin@team.example', name: 'Adam Admin', role: 'admin', password: PW });
  member = await createUser(db, ws.id, { email: 'member@team.example', name: 'Mia Member', role: 'member', password: PW });
});
after(() => db.cleanup());

const as = (u: User) => ({ userId: u.id });
const rejects = (p: Promise<unknown>, code: string, re: RegExp) =>
  assert.rejects(p, (e: { code?: string; message: string }) => e.code === code && re.test(e.message));

test('passwords: at least 12 characters, not a common one, not the email or name', () => {
  assert.match(passwordProblem('short-pw') ?? '', /at least 12 characters \(this one has 8\)/);
  assert.match(passwordProblem('password1234') ?? '', /most common/);
  assert.match(passwordProblem('QWERTY123456') ?? '', /most common/, 'case does not help');
  assert.match(passwordProblem('aaaaaaaaaaaaaa') ?? '', /most common/);
  assert.match(passwordProblem('mia.member@x.example', { email: 'Mia.Member@x.example' }) ?? '', /email address or name/);
  assert.equal(passwordProblem('lamp orange bicycle'), null);
  assert.equal(passwordProblem('ääääöööüüüß!'), null, '12 characters, counted as characters');
});

test('only owners make owners; admins manage members and admins; members manage nobody', async () => {
  await rejects(changeRole(db, ws.id, member.id, 'owner', as(admin)), 'forbidden', /Only an owner can make someone an owner/);
  await rejects(changeRole(db, ws.id, owner.id, 'admin', as(admin)), 'forbidden', /Only an owner can change an owner/);
  await rejects(inviteStaff(db, ws.id, { email: 'new-owner@team.example', role: 'owner' }, as(admin)), 'forbidden', /invite an owner/);
  await rejects(changeRole(db, ws.id, admin.id, 'member', as(member)), 'forbidden', /Only owners and admins/);
  await rejects(inviteStaff(db, ws.id, { email: 'x@team.example', role: 'member' }, as(member)), 'forbidden', /Only owners and admins/);

  const promoted = await changeRole(db, ws.id, member.id, 'admin', as(admin));
  assert.equal(promoted.role, 'admin');
  await changeRole(db, ws.id, member.id, 'member', as(admin));
  const audit = await listAudit(db, ws.id, { category: 'account', limit: 5 });
  assert.deepEqual(
    audit.slice(0, 2).map((e) => [e.action, e.detail, e.subjectUserId, e.userId]),
    [
      ['account.role', 'admin → member', member.id, admin.id],
      ['account.role', 'member → admin', member.id, admin.id],
    ],
  );
});

test('the last active owner can be neither demoted nor deactivated — also when two owners demote each other at once', async () => {
  await rejects(changeRole(db, ws.id, owner.id, 'admin', as(owner)), 'conflict', /last active owner/);
  await rejects(deactivateUser(db, ws.id, owner.id, {}), 'conflict', /last active owner/);
  await rejects(deactivateUser(db, ws.id, admin.id, as(admin)), 'forbidden', /cannot deactivate yourself/);

  const second = await createUser(db, ws.id, { email: 'owner2@team.example', name: 'Otto Owner', role: 'owner', password: PW });
  const results = await Promise.allSettled([
    changeRole(db, ws.id, owner.id, 'admin', as(second)),
    changeRole(db, ws.id, second.id, 'admin', as(owner)),
  ]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'one of the two demotions wins');
  const owners = (await listTeam(db, ws.id)).filter((m) => m.role === 'owner' && m.status === 'active');
  assert.equal(owners.length, 1);
  // Put things back for the next tests: the one demoted becomes an owner again (by the operator, as the CLI acts), and
  // the second owner leaves the owners.
  const demoted = owners[0]!.id === owner.id ? second : owner;
  await changeRole(db, ws.id, demoted.id, 'owner', {});
  await changeRole(db, ws.id, second.id, 'member', as(owner));
});

test('invitation: shown once, works once, within 7 days; a newer one replaces it; withdrawn ones stop', async () => {
  const first = await inviteStaff(db, ws.id, { email: 'Tech@Team.example', role: 'member' }, as(admin));
  assert.match(first.token, new RegExp(`^${ws.id}\\.[A-Za-z0-9_-]{43}$`));
  const days = (first.expiresAt.getTime() - Date.now()) / 86_400_000;
  assert.ok(days > 6.99 && days <= 7, `expires in 7 days (${days})`);
  const second = await inviteStaff(db, ws.id, { email: 'tech@team.example', role: 'member' }, as(admin));
  assert.equal(await peekLink(db, first.token, 'invite'), 'unknown', 'the newer invitation replaced the first');
  assert.deepEqual(
    (await listInvitations(db, ws.id)).map((i) => i.email),
    ['tech@team.example'],
  );
  await rejects(acceptInvitation(db, second.token, { name: 'Tia Tech', password: 'short' }), 'invalid', /at least 12/);
  const { user } = await acceptInvitation(db, second.token, { name: 'Tia Tech', password: 'lamp orange bicycle' });
  assert.equal(user.role, 'member');
  assert.equal(user.email, 'tech@team.example');
  assert.equal(await peekLink(db, second.token, 'invite'), 'used');
  await assert.rejects(acceptInvitation(db, second.token, { name: 'Again', password: 'lamp orange bicycle' }), /used already/);
  const signin = await checkPassword(db, 'tech@team.example', 'lamp orange bicycle');
  assert.equal(signin.kind, 'ok');
  await rejects(inviteStaff(db, ws.id, { email: 'tech@team.example', role: 'member' }, as(admin)), 'conflict', /already on the team/);

  const expiring = await inviteStaff(db, ws.id, { email: 'late@team.example', role: 'member' }, as(admin));
  await db.query(`UPDATE account_links SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiring.id]);
  assert.equal(await peekLink(db, expiring.token, 'invite'), 'expired');
  await assert.rejects(acceptInvitation(db, expiring.token, { name: 'Late', password: 'lamp orange bicycle' }), /expired/);

  const withdrawn = await inviteStaff(db, ws.id, { email: 'gone@team.example', role: 'admin' }, as(owner));
  await revokeInvitation(db, ws.id, withdrawn.id, as(admin));
  assert.equal(await peekLink(db, withdrawn.token, 'invite'), 'unknown');
  assert.equal(await peekLink(db, `${ws.id}.${'A'.repeat(43)}`, 'invite'), 'unknown');
  assert.equal(await peekLink(db, 'nonsense', 'invite'), 'unknown');

  const actions = (await listAudit(db, ws.id, { category: 'account', limit: 20 })).map((e) => e.action);
  for (const a of ['account.invite', 'account.accept', 'account.invite_revoke']) assert.ok(actions.includes(a), a);
});

test('an address with an account elsewhere joins with its existing password, and sign-in then lets it choose', async () => {
  const other = await createWorkspace(db, { name: 'Other Shop' });
  await createUser(db, other.id, { email: 'roamer@x.example', name: 'Rosa Roamer', role: 'member', password: 'roamer password one' });
  const inv = await inviteStaff(db, ws.id, { email: 'roamer@x.example', role: 'member' }, as(owner));
  const info = await peekLink(db, inv.token, 'invite');
  assert.ok(typeof info !== 'string' && info.existingAccount);
  await rejects(acceptInvitation(db, inv.token, { name: '', password: 'a new password here' }), 'invalid', /not the password of your existing/);
  const { user } = await acceptInvitation(db, inv.token, { name: '', password: 'roamer password one' });
  assert.equal(user.name, 'Rosa Roamer', 'the existing name when none is given');
  const r = await checkPassword(db, 'roamer@x.example', 'roamer password one');
  assert.equal(r.kind, 'choose');
  assert.deepEqual(r.kind === 'choose' && r.matches.map((m) => m.workspaceName).sort(), ['Other Shop', 'Team Rules']);
});

test('deactivation ends sessions at once and refuses sign-in; open tasks stay assigned and are listed; reactivation', async () => {
  const tech = await createUser(db, ws.id, { email: 'leaver@team.example', name: 'Leo Leaver', role: 'member', password: PW });
  const task = await createTask(db, ws.id, { title: 'Fix the fridge', assigneeId: tech.id });
  const { cookie } = await createSession(db, ws.id, tech.id, { userAgent: 'Test/1', address: '198.51.100.7' });
  assert.ok(await getSession(db, cookie));
  assert.equal((await listUserSessions(db, ws.id, tech.id))[0]?.userAgent, 'Test/1');

  const open = await deactivateUser(db, ws.id, tech.id, as(admin));
  assert.deepEqual(
    open.map((t) => t.number),
    [task.number],
  );
  assert.equal(await getSession(db, cookie), null, 'the session ended');
  assert.equal((await checkPassword(db, 'leaver@team.example', PW)).kind, 'failed');
  const row = (await listTeam(db, ws.id)).find((m) => m.id === tech.id);
  assert.equal(row?.status, 'deactivated');
  assert.equal(row?.openTasks, 1, 'still assigned: nothing unassigned silently');
  await rejects(createResetLink(db, ws.id, tech.id, as(admin)), 'conflict', /deactivated/);

  await reactivateUser(db, ws.id, tech.id, as(admin));
  assert.equal((await checkPassword(db, 'leaver@team.example', PW)).kind, 'ok');
  const actions = (await listAudit(db, ws.id, { category: 'account', limit: 3 })).map((e) => e.action);
  assert.deepEqual(actions.slice(0, 2), ['account.reactivate', 'account.deactivate']);
});

test('reset link: works once, ends every session, expires; only an owner resets an owner', async () => {
  await rejects(createResetLink(db, ws.id, owner.id, as(admin)), 'forbidden', /reset an owner/);
  const { cookie } = await createSession(db, ws.id, member.id);
  const link = await createResetLink(db, ws.id, member.id, as(admin));
  await rejects(resetPasswordWithLink(db, link.token, 'password1234'), 'invalid', /most common/);
  assert.ok(await getSession(db, cookie), 'a refused password changes nothing');
  await resetPasswordWithLink(db, link.token, 'new member password');
  assert.equal(await getSession(db, cookie), null);
  assert.equal((await checkPassword(db, 'member@team.example', 'new member password')).kind, 'ok');
  await assert.rejects(resetPasswordWithLink(db, link.token, 'another new password'), /used already/);

  const late = await createResetLink(db, ws.id, member.id, as(admin));
  await db.query(`UPDATE account_links SET expires_at = now() - interval '1 second' WHERE id = $1`, [late.id]);
  await assert.rejects(resetPasswordWithLink(db, late.token, 'another new password'), /expired/);
  const hours = (late.expiresAt.getTime() - Date.now()) / 3_600_000;
  assert.ok(hours > 23.9 && hours <= 24);
});

test('changing one’s password needs the current one and ends every other session, not this one', async () => {
  const a = await createSession(db, ws.id, admin.id);
  const b = await createSession(db, ws.id, admin.id);
  const keep = (await getSession(db, a.cookie))!;
  await rejects(changeOwnPassword(db, ws.id, admin.id, { current: 'wrong password!!', next: 'brand new passphrase' }), 'invalid', /current password/);
  await changeOwnPassword(db, ws.id, admin.id, { current: PW, next: 'brand new passphrase', keepSessionId: keep.id });
  assert.ok(await getSession(db, a.cookie), 'this session stays');
  assert.equal(await getSession(db, b.cookie), null, 'the other one ended');
  assert.equal((await checkPassword(db, 'admin@team.example', 'brand new passphrase')).kind, 'ok');
  assert.ok((await listAudit(db, ws.id, { category: 'account', limit: 1 }))[0]?.action === 'account.password_change');
});

test('a hash made with older scrypt parameters is replaced with today’s on the next successful sign-in', async () => {
  const legacy = await createUser(db, ws.id, { email: 'legacy@team.example', name: 'Lee Legacy', role: 'member', password: PW });
  const old = await hashPassword(PW, { N: 2 ** 14, r: 8, p: 1 });
  await db.query('UPDATE users SET password_hash = $2 WHERE id = $1', [legacy.id, old]);
  const r = await checkPassword(db, 'legacy@team.example', PW);
  assert.equal(r.kind, 'ok', 'the old hash still verifies');
  if (r.kind !== 'ok') return;
  await recordSignIn(db, r.match, PW);
  const stored = (
    await db.query<{ h: string; at: Date | null }>('SELECT password_hash AS h, last_signin_at AS at FROM users WHERE id = $1', [legacy.id])
  ).rows[0]!;
  assert.ok(stored.h.startsWith(`scrypt$${PASSWORD_PARAMS.N}$8$1$`), stored.h.slice(0, 20));
  assert.ok(stored.at, 'last sign-in recorded');
  assert.equal((await checkPassword(db, 'legacy@team.example', PW)).kind, 'ok');
});

test('forgot password: a link per workspace for a known address, nothing for an unknown one; throttled per address and per email', async () => {
  const links = await requestPasswordReset(db, 'OWNER@team.example');
  assert.equal(links.length, 1);
  assert.equal(links[0]!.to, 'owner@team.example');
  const info = await peekLink(db, links[0]!.token, 'reset');
  assert.ok(typeof info !== 'string');
  assert.ok((info.expiresAt.getTime() - Date.now()) / 60_000 <= 60, 'an emailed link lasts an hour');
  assert.deepEqual(await requestPasswordReset(db, 'nobody@team.example'), []);

  for (let i = 0; i < MAX_RESET_REQUESTS_PER_EMAIL; i++)
    assert.equal((await countResetRequest(db, 'someone@team.example', '203.0.113.1')).throttled, false);
  const limited = await countResetRequest(db, 'Someone@team.example', '203.0.113.2');
  assert.equal(limited.throttled, true);
  assert.equal(limited.scope, 'account');
  assert.equal((await countResetRequest(db, 'else@team.example', '203.0.113.2')).throttled, false, 'another email from another address is fine');
  let ipLimited = false;
  for (let i = 0; i < 25 && !ipLimited; i++) ipLimited = (await countResetRequest(db, `n${i}@team.example`, '203.0.113.9')).throttled;
  assert.ok(ipLimited, 'one address asking for many emails is throttled');
});
