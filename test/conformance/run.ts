/**
 * Runs the official MCP conformance suite (@modelcontextprotocol/conformance; needs Node 22, through npx) against a
 * real Taskline server started like `npm start` — fresh embedded database, default configuration — directly at
 * http://127.0.0.1:PORT/app/api/mcp/server/<demo workspace>, at two suite versions: 0.1.16 and the newest 0.2.0
 * pre-release, the latter for the legacy revisions and for 2026-07-28. The suite cannot send an Authorization
 * header (modelcontextprotocol/conformance#453), so its process loads bearer.mjs, which adds the demo token to its
 * requests and changes nothing else. Every scenario that applies to what Taskline offers must pass; SKIPPED lists
 * the rest, each with its reason.
 * Usage: node --import tsx test/conformance/run.ts
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerProcess } from '../helpers/proc.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NODE22 = 'node@22';

interface Run {
  suite: string;
  specVersion?: string;
  scenarios: string[];
  /** server-stateless checks that need the suite's own diagnostic tools: "Not testable" here. */
  expectedFailures?: string[];
}

const RUNS: Run[] = [
  {
    suite: '@modelcontextprotocol/conformance@0.1.16',
    scenarios: [
      'server-initialize',
      'ping',
      'tools-list',
      'resources-list',
      'prompts-list',
      'dns-rebinding-protection',
      'server-sse-multiple-streams',
    ],
  },
  {
    suite: '@modelcontextprotocol/conformance@0.2.0-alpha.12',
    scenarios: [
      'server-initialize',
      'ping',
      'tools-list',
      'resources-list',
      'prompts-list',
      'dns-rebinding-protection',
      'server-sse-multiple-streams',
      'server-session-lifecycle',
    ],
  },
  {
    suite: '@modelcontextprotocol/conformance@0.2.0-alpha.12',
    specVersion: '2026-07-28',
    scenarios: [
      'server-stateless',
      'tools-list',
      'resources-list',
      'prompts-list',
      'caching',
      'sep-2164-resource-not-found',
      'dns-rebinding-protection',
      'server-sse-multiple-streams',
      'http-header-validation',
      'input-required-result-unsupported-methods',
    ],
    expectedFailures: [
      'server-stateless:sep-2575-server-rejects-undeclared-capability',
      'server-stateless:sep-2575-missing-capability-http-400',
      'server-stateless:sep-2575-http-server-no-independent-requests-on-stream',
      'server-stateless:sep-2575-server-no-log-without-loglevel',
    ],
  },
];

/** Authorization server scenarios (`conformance authorization --url <issuer>`): they start from the issuer. */
const AUTHORIZATION_RUNS = [{ suite: '@modelcontextprotocol/conformance@0.2.0-alpha.12', scenarios: ['authorization-server-metadata-endpoint'] }];

/** What is not run, and why (printed with every run, and listed in the README). */
export const SKIPPED: Record<string, string> = {
  'tools-call-* (simple-text, image, audio, embedded-resource, mixed-content, error, with-progress, with-logging, sampling, elicitation, elicitation-sep1034-defaults, elicitation-sep1330-enums)':
    "call the suite's fixture tools (test_*), which a real server does not have; Taskline's own tools are called through the official SDK clients in test/mcp",
  'prompts-get-* (simple, with-args, embedded-resource, with-image), completion-complete': "need the suite's fixture prompts (test_*)",
  'resources-read-text, resources-read-binary, resources-templates-read, resources-subscribe, resources-unsubscribe':
    "read or watch the suite's fixture resources (test://…); Taskline offers no subscriptions. caching and sep-2164-resource-not-found read Taskline's own resources",
  'logging-set-level': 'Taskline offers no logging capability',
  'json-schema-2020-12, server-sse-polling, http-custom-header-server-validation':
    'need fixture tools (json_schema_2020_12_tool, test_reconnection, a tool with x-mcp-header)',
  'input-required-result-* (all but unsupported-methods)':
    "need the suite's test_input_required_result_* tools; Taskline never asks the client for input",
  'tasks-*, sep-2640-skills-*': 'extensions Taskline does not declare (tasks, skills)',
  'authorization-code-grant':
    'waits for a person to open its printed URL and approve; the same flow runs in test/oauth/flow.test.ts and, with the official client and real Chromium, in test/browser/oauth.test.ts',
  'server-stateless: 4 checks (undeclared capability, missing capability 400, no requests on the stream, no log without logLevel)':
    "need the suite's diagnostic tools; baselined as expected failures — every other server-stateless check must pass",
};

function runScenario(run: Run, scenario: string, url: string, env: NodeJS.ProcessEnv, baseline: string | undefined): Promise<number | null> {
  const args = ['-y', '-p', NODE22, '-p', run.suite, '--', 'conformance', 'server', '--url', url, '--scenario', scenario];
  if (run.specVersion) args.push('--spec-version', run.specVersion);
  if (baseline && run.expectedFailures?.some((f) => f.startsWith(`${scenario}:`))) args.push('--expected-failures', baseline);
  return runSuite(args, env);
}

function runSuite(args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve) => {
    const p = spawn('npx', args, { stdio: 'inherit', env });
    const timer = setTimeout(() => p.kill('SIGKILL'), 180_000);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskline-conformance-'));
const server = await startServerProcess({ DATA_DIR: dataDir });
let failed = 0;
let passed = 0;
try {
  const out = server.output();
  const token = /MCP token:\s+(mcp_live_\S+)/.exec(out)![1]!;
  const wsPath = /MCP endpoint:\s+\S+(\/app\/api\/mcp\/server\/[0-9a-f-]{36})/.exec(out)![1]!;
  const origin = new URL(server.url).origin.replace('localhost', '127.0.0.1');
  const url = `${origin}${wsPath}`;
  const baseline = path.join(dataDir, 'expected-failures.yml');
  fs.writeFileSync(baseline, ['server:', ...RUNS.flatMap((r) => r.expectedFailures ?? []).map((f) => `  - ${f}`)].join('\n') + '\n');
  // The preload goes to the suite's process through NODE_OPTIONS (npx's own process loads it too, harmlessly).
  const env = { ...process.env, CONFORMANCE_TOKEN: token, CONFORMANCE_ORIGIN: origin, NODE_OPTIONS: `--import ${path.join(HERE, 'bearer.mjs')}` };
  console.log(`conformance against ${url} (default configuration, embedded database)`);
  for (const run of RUNS) {
    for (const scenario of run.scenarios) {
      const label = `${run.suite.split('@').pop()}${run.specVersion ? ` --spec-version ${run.specVersion}` : ''}: ${scenario}`;
      console.log(`\n== conformance ${label}`);
      const code = await runScenario(run, scenario, url, env, baseline);
      if (code === 0) {
        passed++;
        console.log(`✓ ${label}`);
      } else {
        failed++;
        console.log(`✗ ${label} failed (exit ${code})`);
      }
    }
  }
  // The issuer is PUBLIC_URL's origin, exactly as the metadata says it (the suite compares the strings).
  const issuer = new URL(/MCP endpoint:\s+(\S+)/.exec(out)![1]!).origin;
  for (const run of AUTHORIZATION_RUNS) {
    for (const scenario of run.scenarios) {
      const label = `${run.suite.split('@').pop()} authorization: ${scenario}`;
      console.log(`\n== conformance ${label} (issuer ${issuer})`);
      const code = await runSuite(
        ['-y', '-p', NODE22, '-p', run.suite, '--', 'conformance', 'authorization', '--url', issuer, '--scenario', scenario],
        env,
      );
      if (code === 0) {
        passed++;
        console.log(`✓ ${label}`);
      } else {
        failed++;
        console.log(`✗ ${label} failed (exit ${code})`);
      }
    }
  }
} finally {
  await server.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
console.log('\nNot run (they do not apply to this server):');
for (const [what, why] of Object.entries(SKIPPED)) console.log(`  - ${what}: ${why}`);
console.log(`\nconformance: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
