import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  READ_TOOLS,
  credentialState,
  effectivePolicy,
  maskEmail,
  maskPhone,
  normalizeCredentialRequest,
  describeLevel,
  requiredFactorTypes,
  type CredentialSettings,
  type WorkspaceSettings,
} from '../../src/domain/policy.ts';

const ws = (p: Partial<WorkspaceSettings> = {}): WorkspaceSettings => ({
  mcpEnabled: true,
  allowCustomerComments: false,
  minVerificationFactors: 2,
  ...p,
});
const cred = (p: Partial<CredentialSettings> = {}): CredentialSettings => ({
  tools: [...READ_TOOLS],
  allowCustomerComments: false,
  verificationFactors: null,
  revealCustomerContact: false,
  expiresAt: null,
  revokedAt: null,
  ...p,
});

test('default credential gets the five read tools, no comments, contact masked', () => {
  const p = effectivePolicy(ws(), cred());
  assert.deepEqual(p.tools, [...READ_TOOLS]);
  assert.equal(p.canComment, false);
  assert.equal(p.revealContact, false);
  assert.equal(p.verificationLevel, 2);
  assert.deepEqual(p.requiredFactors, ['phone', 'customerName']);
});

test('addCustomerComment needs both the workspace and the credential to allow it', () => {
  assert.ok(!effectivePolicy(ws({ allowCustomerComments: true }), cred()).tools.includes('addCustomerComment'));
  assert.ok(!effectivePolicy(ws(), cred({ allowCustomerComments: true })).tools.includes('addCustomerComment'));
  const both = effectivePolicy(ws({ allowCustomerComments: true }), cred({ allowCustomerComments: true }));
  assert.ok(both.tools.includes('addCustomerComment'));
  assert.equal(both.canComment, true);
});

test('MCP disabled on the workspace removes every tool', () => {
  const p = effectivePolicy(ws({ mcpEnabled: false, allowCustomerComments: true }), cred({ allowCustomerComments: true }));
  assert.deepEqual(p.tools, []);
  assert.equal(p.canComment, false);
});

test('credential allowlist narrows the read tools and keeps catalog order', () => {
  const p = effectivePolicy(ws(), cred({ tools: ['getTaskDetails', 'searchWorkspaceTasks', 'bogus'] }));
  assert.deepEqual(p.tools, ['searchWorkspaceTasks', 'getTaskDetails']);
});

test('required factors: workspace minimum is a floor the credential can only raise; the phone is always one', () => {
  assert.deepEqual(effectivePolicy(ws({ minVerificationFactors: 2 }), cred({ verificationFactors: 3 })).requiredFactors, [
    'phone',
    'customerName',
    'taskNumber',
  ]);
  assert.equal(effectivePolicy(ws({ minVerificationFactors: 3 }), cred({ verificationFactors: 1 })).verificationLevel, 3);
  assert.deepEqual(effectivePolicy(ws({ minVerificationFactors: 1 }), cred()).requiredFactors, ['phone']);
  for (const level of [1, 2, 3, 0, 4, Number.NaN]) assert.ok(requiredFactorTypes(level).includes('phone'), `level ${level}`);
  assert.equal(describeLevel(1), 'the phone number on file');
  assert.equal(describeLevel(3), 'the phone number on file, the full name and the task number');
});

test('a credential that reveals contact details never adds customer comments (it can read the phone callers verify with)', () => {
  const p = effectivePolicy(ws({ allowCustomerComments: true }), cred({ allowCustomerComments: true, revealCustomerContact: true }));
  assert.equal(p.canComment, false);
  assert.ok(!p.tools.includes('addCustomerComment'));
  assert.match(
    normalizeCredentialRequest(ws(), { allowCustomerComments: true, revealCustomerContact: true }).problems.join(),
    /cannot both reveal contact details and add customer comments/,
  );
  assert.deepEqual(normalizeCredentialRequest(ws(), { revealCustomerContact: true }).problems, []);
});

test('credential requests are normalized and checked against the workspace', () => {
  const def = normalizeCredentialRequest(ws(), {});
  assert.deepEqual(def.tools, [...READ_TOOLS]);
  assert.equal(def.allowCustomerComments, false);
  assert.deepEqual(def.problems, []);
  const withComment = normalizeCredentialRequest(ws(), { tools: ['getTaskDetails', 'addCustomerComment'] });
  assert.deepEqual(withComment.tools, ['getTaskDetails']);
  assert.equal(withComment.allowCustomerComments, true);
  assert.match(normalizeCredentialRequest(ws(), { tools: ['dropTables'] }).problems.join(), /unknown tool\(s\): dropTables/);
  assert.match(
    normalizeCredentialRequest(ws({ minVerificationFactors: 3 }), { verificationFactors: 2 }).problems.join(),
    /below the workspace minimum/,
  );
  assert.match(normalizeCredentialRequest(ws(), { verificationFactors: 4 }).problems.join(), /1, 2 or 3/);
});

test('credential state: revoked beats expired, expiry is exclusive of the future', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  assert.equal(credentialState({ revokedAt: null, expiresAt: null }, now), 'active');
  assert.equal(credentialState({ revokedAt: null, expiresAt: new Date('2026-11-25T12:00:01Z') }, now), 'active');
  assert.equal(credentialState({ revokedAt: null, expiresAt: now }, now), 'expired');
  assert.equal(credentialState({ revokedAt: now, expiresAt: new Date(0) }, now), 'revoked');
});

test('masking shows only what a caller may be told', () => {
  assert.equal(maskPhone('+1 (703) 597-4534'), '•••-•••-4534');
  assert.equal(maskPhone(null), null);
  assert.equal(maskEmail('russ@example.com'), 'r•••@example.com');
  assert.equal(maskEmail('Russ.Hale@Example.com'), 'R•••@Example.com');
});

test("the MCP layer implements exactly the domain's tool catalogue, in its order, with matching annotations", async () => {
  const { TOOL_CATALOG } = await import('../../src/domain/catalog.ts');
  const { TOOLS } = await import('../../src/mcp/tools/index.ts');
  assert.deepEqual(
    TOOLS.map((t) => t.name),
    TOOL_CATALOG.map((c) => c.name),
  );
  for (const [i, c] of TOOL_CATALOG.entries()) assert.equal(TOOLS[i]!.annotations.readOnlyHint, c.access === 'read', c.name);
  assert.deepEqual(
    [...READ_TOOLS],
    TOOL_CATALOG.filter((c) => c.access === 'read').map((c) => c.name),
  );
});
