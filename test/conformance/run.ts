/**
 * Runs the official MCP conformance suite (@modelcontextprotocol/conformance, needs Node 22 via npx) against a
 * real Taskline server started like `npm start` on a fresh embedded database, through the test-only auth proxy.
 * Every server scenario that applies to what Taskline advertises (tools without listChanged, resources with a
 * template and no subscribe, prompts; no logging, completions, sampling or elicitation) must pass.
 * Usage: node --import tsx test/conformance/run.ts
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, startServerProcess } from '../helpers/proc.ts';
import { startAuthProxy } from './proxy.ts';

const CONFORMANCE = '@modelcontextprotocol/conformance@0.1.16';
export const SCENARIOS = [
  'server-initialize',
  'ping',
  'tools-list',
  'resources-list',
  'prompts-list',
  'dns-rebinding-protection',
  'server-sse-multiple-streams', // stateless server: the suite reports a warning, not a failure
];

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskline-conformance-'));
const proxyPort = await freePort();
const server = await startServerProcess({
  DATA_DIR: dataDir,
  // The proxy is the public face of the server in this run.
  PUBLIC_URL: `http://localhost:${proxyPort}`,
  ALLOWED_HOSTS: `localhost:${proxyPort},127.0.0.1:${proxyPort}`,
  ALLOWED_ORIGINS: `http://localhost:${proxyPort},http://127.0.0.1:${proxyPort}`,
});
let failed = 0;
try {
  const out = server.output();
  const token = /MCP token:\s+(mcp_live_\S+)/.exec(out)![1]!;
  const wsPath = /MCP endpoint:\s+\S+(\/app\/api\/mcp\/server\/[0-9a-f-]{36})/.exec(out)![1]!;
  const proxy = await startAuthProxy(`${server.url}${wsPath}`, token, proxyPort);
  try {
    for (const scenario of SCENARIOS) {
      console.log(`\n== conformance: ${scenario}`);
      // Asynchronous on purpose: the proxy lives in this process and must keep serving while the suite runs.
      const code = await new Promise<number | null>((resolve) => {
        const p = spawn(
          'npx',
          ['-y', '-p', 'node@22', '-p', CONFORMANCE, '--', 'conformance', 'server', '--url', `http://localhost:${proxyPort}/mcp`, '--scenario', scenario],
          { stdio: 'inherit' },
        );
        const timer = setTimeout(() => p.kill('SIGKILL'), 180_000);
        p.on('exit', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
      if (code !== 0) {
        failed++;
        console.log(`✗ ${scenario} failed (exit ${code})`);
      } else console.log(`✓ ${scenario}`);
    }
  } finally {
    proxy.close();
  }
} finally {
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
console.log(`\nconformance: ${SCENARIOS.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
