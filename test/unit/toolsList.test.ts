import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LISTED_TOOLS } from '../../src/mcp/tools/index.ts';
import { READ_TOOLS } from '../../src/domain/policy.ts';

/** B3 (issue #17 item 5): the tools/list result, measured as bench/run.ts does — JSON.stringify({ tools }). */
const TARGET = 8 * 1024;
const bytes = (names: readonly string[]) =>
  Buffer.byteLength(JSON.stringify({ tools: [...LISTED_TOOLS.values()].filter((t) => names.includes(t.name)) }));
const ALL = [...LISTED_TOOLS.keys()];

test('tools/list for the default credential (the five read tools) stays ≤ 8,192 bytes with room to spare', () => {
  const n = bytes(READ_TOOLS);
  assert.ok(n <= TARGET - 1024, `${n} bytes`);
});

// Ratchet: all six tools measured 8,731 bytes after the compaction in src/mcp/tools/index.ts. Lower it when it drops.
test('tools/list with all six tools does not grow past 8,731 bytes', () => {
  assert.equal(ALL.length, 6);
  const n = bytes(ALL);
  assert.ok(n <= 8_731, `${n} bytes`);
});

test('tools/list with all six tools is ≤ 8,192 bytes', { todo: 'not met: 8,731 bytes; see issue #17 item 5' }, () => {
  assert.ok(bytes(ALL) <= TARGET, `${bytes(ALL)} bytes`);
});
