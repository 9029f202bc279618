import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LISTED_TOOLS, TOOLS_BY_NAME } from '../../src/mcp/tools/index.ts';
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

test('tools/list with all six tools is ≤ 8,192 bytes', () => {
  assert.equal(ALL.length, 6);
  const n = bytes(ALL);
  assert.ok(n <= TARGET, `${n} bytes`);
});

test('bounds that only stop abuse are left out of tools/list but still enforced by the server', () => {
  const listed = (tool: string) => JSON.stringify(LISTED_TOOLS.get(tool as never)!.inputSchema);
  const input = (tool: string) => TOOLS_BY_NAME.get(tool)!.inputSchema;
  // Not listed: the task number's range and length, the cursor's and the query's length.
  assert.doesNotMatch(listed('getTaskDetails'), /999999999|maxLength/);
  assert.doesNotMatch(listed('listTaskComments'), /"maxLength":200/);
  // Listed where an assistant needs them: the page size range, the comment's length.
  assert.match(listed('listTaskComments'), /"maximum":100/);
  assert.match(listed('addCustomerComment'), /"maxLength":5000/);
  // Enforced all the same.
  assert.equal(input('getTaskDetails').safeParse({ taskNumber: 1_000_000_000 }).success, false);
  assert.equal(input('getTaskDetails').safeParse({ taskNumber: `#${'1'.repeat(45)}` }).success, false);
  assert.equal(input('listTaskComments').safeParse({ taskNumber: 1, cursor: 'x'.repeat(201) }).success, false);
  assert.equal(input('searchWorkspaceTasks').safeParse({ query: 'x'.repeat(201) }).success, false);
  assert.equal(input('addCustomerComment').safeParse({ taskNumber: 1, comment: 'hi', verification: { phone: '1'.repeat(41) } }).success, false);
  assert.equal(input('listTaskComments').safeParse({ taskNumber: 1, cursor: 'x'.repeat(200) }).success, true);
});
