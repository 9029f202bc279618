#!/usr/bin/env node
// The `taskline` command: runs the TypeScript sources through tsx (no build step needed).
import { register } from 'tsx/esm/api';
register();
const { runCli } = await import('../src/cli/index.ts');
process.exitCode = await runCli(process.argv.slice(2));
