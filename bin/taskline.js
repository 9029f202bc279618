#!/usr/bin/env node
// The `taskline` command. In a checkout with the dev dependencies (tsx) it runs the TypeScript sources, so no build
// step is needed while developing; in a production install (`npm ci --omit=dev` + `npm run build`) it runs the
// compiled dist/ on plain Node.js.
import fs from 'node:fs';

let runCli;
const tsx = await import('tsx/esm/api').catch(() => null);
if (tsx && fs.existsSync(new URL('../src/cli/index.ts', import.meta.url))) {
  tsx.register();
  ({ runCli } = await import('../src/cli/index.ts'));
} else if (fs.existsSync(new URL('../dist/cli/index.js', import.meta.url))) {
  process.setSourceMapsEnabled(true);
  ({ runCli } = await import('../dist/cli/index.js'));
} else {
  process.stderr.write('taskline: dist/ is missing — run `npm run build` first (or install the dev dependencies to run from source)\n');
  process.exit(1);
}
process.exitCode = await runCli(process.argv.slice(2));
