// `npm run build`: compile src/ to JavaScript in dist/ (or --out DIR) with source maps, and copy the files the code
// reads at run time (migrations, the web app's static files, the common-password list) beside it. The result runs on
// plain Node.js: `node --enable-source-maps dist/app/main.js` (npm run start:prod) or `node dist/cli/index.js`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outArg = process.argv.indexOf('--out');
const out = path.resolve(root, outArg > 0 ? process.argv[outArg + 1] : 'dist');
const ASSETS = ['platform/db/migrations', 'web/static', 'domain/data'];

fs.rmSync(out, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', out], {
  stdio: 'inherit',
});
for (const dir of ASSETS) {
  const from = path.join(root, 'src', dir);
  for (const file of fs.readdirSync(from)) {
    if (/\.(ts|tsx)$/.test(file)) continue;
    fs.mkdirSync(path.join(out, dir), { recursive: true });
    fs.copyFileSync(path.join(from, file), path.join(out, dir, file));
  }
}
process.stdout.write(`built ${path.relative(root, out) || out}\n`);
