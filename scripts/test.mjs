#!/usr/bin/env node
// Runs every test file under test/ with node's test runner (TypeScript through tsx).
// Store: embedded PGlite by default; TEST_DATABASE_URL=postgres://… runs the same suite on a real PostgreSQL
// (each test file gets its own database there).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const only = args.filter((a) => !a.startsWith('-'));
const walk = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : e.name.endsWith('.test.ts') ? [p] : [];
  });
const files = (only.length ? only : walk('test')).sort();
const store = process.env.TEST_DATABASE_URL ? `PostgreSQL (${process.env.TEST_DATABASE_URL.replace(/\/\/[^@/]*@/, '//')})` : 'embedded PGlite';
console.log(`taskline tests: ${files.length} files on ${store}`);
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...args.filter((a) => a.startsWith('-')), ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(r.status ?? 1);
