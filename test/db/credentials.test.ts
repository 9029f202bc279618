import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorkspace } from '../../src/domain/workspaces.ts';
import {
  CredentialAlreadyCreated,
  authenticate,
  createCredential,
  getCredential,
  listCredentials,
  revokeCredential,
  touchCredential,
  updateCredentialSettings,
} from '../../src/domain/credentials.ts';
import { listAudit } from '../../src/domain/audit.ts';
import { READ_TOOLS } from '../../src/domain/policy.ts';
import { testDb, type TestDb } from '../helpers/db.ts';

let db: TestDb;
before(async () => {
  db = await testDb();
});
after(() => db.cleanup());

/** Every text-ish value in every table, to prove a secret is stored nowhere. */
async function databaseContains(needle: string): Promise<string[]> {
  const cols = await db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = 'public' AND data_type IN ('text', 'ARRAY', 'bytea', 'character varying', 'jsonb', 'tsvector')`,
  );
  const hits: string[] = [];
  for (const c of cols.rows) {
    const r = await db.query(
      `SELECT 1 FROM "${c.table_name}" WHERE position($1 in encode(convert_to("${c.column_name}"::text, 'UTF8'), 'escape')) > 0
         OR position($1 in "${c.column_name}"::text) > 0 LIMIT 1`,
      [needle],
    );
    if (r.rows.length) hits.push(`${c.table_name}.${c.column_name}`);
  }
  return hits;
}

test('minting stores only the hash; the token appears nowhere in the database', async () => {
  const ws = await createWorkspace(db, { name: 'Tokens' });
  const { credential, token } = await createCredential(db, ws.id, { name: 'Phone agent' });
  assert.match(token, /^mcp_live_[A-Za-z0-9_-]{43}$/);
  assert.equal(credential.preview, `${token.slice(0, 13)}…${token.slice(-4)}`);
  assert.deepEqual(credential.tools, [...READ_TOOLS]);
  assert.equal(credential.state, 'active');
  assert.deepEqual(await databaseContains(token), []);
  assert.deepEqual(await databaseContains(token.slice(9)), [], 'not even the secret part');
  // The search above is able to find things: the preview prefix is stored.
  assert.deepEqual(await databaseContains(token.slice(0, 13)), ['mcp_credentials.token_prefix']);
  const listed = await listCredentials(db, ws.id);
  assert.equal(listed.length, 1);
  assert.ok(!JSON.stringify(listed).includes(token));
});

test('authenticate: ok, unknown, preview, malformed, other workspace, unknown workspace', async () => {
  const a = await createWorkspace(db, { name: 'A' });
  const b = await createWorkspace(db, { name: 'B' });
  const { token, credential } = await createCredential(db, a.id, { name: 'a-cred' });
  const ok = await authenticate(db, a.id, token);
  assert.ok(ok.ok);
  assert.equal(ok.credential.id, credential.id);
  assert.equal(ok.workspace.name, 'A');
  const other = await authenticate(db, b.id, token);
  assert.deepEqual([other.ok, !other.ok && other.reason], [false, 'wrong_workspace']);
  const unknown = await authenticate(db, a.id, 'mcp_live_' + 'x'.repeat(43));
  assert.equal(!unknown.ok && unknown.reason, 'unknown');
  const preview = await authenticate(db, a.id, credential.preview);
  assert.equal(!preview.ok && preview.reason, 'preview');
  const malformed = await authenticate(db, a.id, 'hello');
  assert.equal(!malformed.ok && malformed.reason, 'malformed');
  const missing = await authenticate(db, a.id, undefined);
  assert.equal(!missing.ok && missing.reason, 'missing');
  const noWs = await authenticate(db, '00000000-0000-4000-8000-00000000dead', token);
  assert.equal(!noWs.ok && noWs.reason, 'no_workspace');
  const notUuid = await authenticate(db, 'abc', token);
  assert.equal(!notUuid.ok && notUuid.reason, 'no_workspace');
});

test('revocation takes effect on the next check; revoking twice is harmless', async () => {
  const ws = await createWorkspace(db, { name: 'Revoke' });
  const { token, credential } = await createCredential(db, ws.id, { name: 'r' });
  assert.ok((await authenticate(db, ws.id, token)).ok);
  const revoked = await revokeCredential(db, credential.id);
  assert.equal(revoked.state, 'revoked');
  const r = await authenticate(db, ws.id, token);
  assert.equal(!r.ok && r.reason, 'revoked');
  const again = await revokeCredential(db, credential.id);
  assert.deepEqual(again.revokedAt, revoked.revokedAt);
  await assert.rejects(revokeCredential(db, credential.id, { workspaceId: (await createWorkspace(db, { name: 'x' })).id }), /no credential/);
  const audit = await listAudit(db, ws.id);
  assert.deepEqual(audit.map((e) => e.action).sort(), ['credential.create', 'credential.revoke']);
});

test('expired credentials are refused', async () => {
  const ws = await createWorkspace(db, { name: 'Expiry' });
  const { token, credential } = await createCredential(db, ws.id, { name: 'e', expiresAt: new Date(Date.now() + 60_000) });
  assert.ok((await authenticate(db, ws.id, token)).ok);
  await db.query("UPDATE mcp_credentials SET expires_at = now() - interval '1 second' WHERE id = $1", [credential.id]);
  const r = await authenticate(db, ws.id, token);
  assert.equal(!r.ok && r.reason, 'expired');
  await assert.rejects(createCredential(db, ws.id, { name: 'past', expiresAt: new Date(Date.now() - 1000) }), /future/);
});

test('policy checks at creation: tools, factors below the workspace minimum', async () => {
  const ws = await createWorkspace(db, { name: 'Policy', minVerificationFactors: 3 });
  await assert.rejects(createCredential(db, ws.id, { name: 'x', verificationFactors: 2 }), /below the workspace minimum/);
  await assert.rejects(createCredential(db, ws.id, { name: 'x', tools: ['rm -rf'] }), /unknown tool/);
  await assert.rejects(
    createCredential(db, ws.id, { name: 'x', tools: ['getTaskDetails', 'addCustomerComment'], revealCustomerContact: true }),
    /cannot both reveal contact details and add customer comments/,
  );
  const { credential } = await createCredential(db, ws.id, { name: 'c', tools: ['getTaskDetails', 'addCustomerComment'] });
  assert.deepEqual(credential.tools, ['getTaskDetails']);
  assert.equal(credential.allowCustomerComments, true);
  assert.equal(credential.revealCustomerContact, false);
  await assert.rejects(updateCredentialSettings(db, ws.id, credential.id, { revealCustomerContact: true }), /cannot both reveal/);
});

test('last_used_at is written at most once a minute', async () => {
  const ws = await createWorkspace(db, { name: 'Touch' });
  const { credential } = await createCredential(db, ws.id, { name: 't' });
  await touchCredential(db, credential);
  const first = (await getCredential(db, credential.id))!.lastUsedAt!;
  assert.ok(first);
  await touchCredential(db, { ...credential, lastUsedAt: null }); // even a stale in-memory value cannot force a write
  assert.deepEqual((await getCredential(db, credential.id))!.lastUsedAt, first);
});

test('a create key makes creation idempotent per workspace; the repeat names the credential and reveals no token', async () => {
  const a = await createWorkspace(db, { name: 'Key A' });
  const b = await createWorkspace(db, { name: 'Key B' });
  const first = await createCredential(db, a.id, { name: 'once', createKey: 'k-0123456789abcdef' });
  await assert.rejects(createCredential(db, a.id, { name: 'once again', createKey: 'k-0123456789abcdef' }), (err: unknown) => {
    assert.ok(err instanceof CredentialAlreadyCreated);
    assert.equal(err.credentialId, first.credential.id);
    assert.match(err.message, /"once" was already created/);
    return true;
  });
  // The same key in another workspace is another form.
  assert.ok((await createCredential(db, b.id, { name: 'once', createKey: 'k-0123456789abcdef' })).token);
  assert.equal((await listCredentials(db, a.id)).length, 1);
});
