import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nameKey, normalizeEmail, normalizeName, phoneDigits, reverse, stripInvisible } from '../../src/domain/normalize.ts';
import { tokenShape, mintToken, hashToken, tokenPreview } from '../../src/platform/crypto/tokens.ts';
import { hashPassword, verifyPassword, generatePassword } from '../../src/platform/crypto/password.ts';

test('names normalize case, accents, punctuation and spacing', () => {
  assert.equal(normalizeName('  José   Núñez '), 'jose nunez');
  assert.equal(normalizeName("Zoë O'Brien"), 'zoe o brien');
  assert.equal(normalizeName('Søren Łukasz'), 'soren lukasz');
  assert.equal(nameKey('hale  RUSSELL'), nameKey('Russell Hale'));
  assert.notEqual(nameKey('Russell Hale'), nameKey('Russell Hales'));
});

test('phones reduce to digits; emails to lower case', () => {
  for (const p of ['+1 (703) 597-4534', '703.597.4534', '7035974534', '(703) 597 4534']) assert.ok(phoneDigits(p).endsWith('7035974534'), p);
  assert.equal(reverse('123'), '321');
  assert.equal(normalizeEmail(' Russ@Example.COM '), 'russ@example.com');
});

test('invisible characters are stripped', () => {
  assert.equal(stripInvisible('a\u200Bb\u202Ec\u2066d\u{E0041}e\uFEFF'), 'abcde');
  assert.equal(stripInvisible('José 🔧'), 'José 🔧');
  // A soft hyphen or a tag character alone (the only non-ASCII in the text) is still found.
  assert.equal(stripInvisible('co\u00ADop'), 'coop');
  assert.equal(stripInvisible('plain\u{E0041} text'), 'plain text');
  assert.equal(stripInvisible('plain ASCII <text>'), 'plain ASCII <text>');
});

test('tokens: format, preview and shape classification', () => {
  const t = mintToken();
  assert.match(t.token, /^mcp_live_[A-Za-z0-9_-]{43}$/);
  assert.equal(t.prefix, t.token.slice(0, 13));
  assert.equal(t.last4, t.token.slice(-4));
  assert.deepEqual(t.hash, hashToken(t.token));
  assert.equal(tokenPreview(t.prefix, t.last4), `${t.token.slice(0, 13)}…${t.token.slice(-4)}`);
  assert.equal(tokenShape(t.token), 'ok');
  assert.equal(tokenShape(undefined), 'missing');
  assert.equal(tokenShape(''), 'missing');
  assert.equal(tokenShape(tokenPreview(t.prefix, t.last4)), 'preview');
  assert.equal(tokenShape('mcp_live_AbCd...wxyz'), 'preview');
  assert.equal(tokenShape('mcp_live_****'), 'preview');
  assert.equal(tokenShape('mcp_live_short'), 'malformed');
  assert.equal(tokenShape('Bearer abc'), 'malformed');
  assert.notEqual(mintToken().token, t.token);
});

test('passwords hash with scrypt and verify', async () => {
  const pw = generatePassword();
  assert.match(pw, /^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
  const h = await hashPassword(pw);
  assert.ok(h.startsWith('scrypt$') && !h.includes(pw));
  assert.equal(await verifyPassword(pw, h), true);
  assert.equal(await verifyPassword(pw + 'x', h), false);
  assert.equal(await verifyPassword(pw, 'garbage'), false);
});
