/**
 * The dependency rule of ARCHITECTURE.md, checked in CI (`npm run lint`): platform ← domain ← adapters (mcp, web,
 * cli, seed, presenters) ← app, no cycles, and no web page folder importing another's. Reads every relative import
 * of src/ — `import type` included — and exits 1 listing each violation. (dependency-cruiser would do this, but it
 * needs TypeScript's JavaScript API, which TypeScript 7 no longer ships.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Violation {
  rule: string;
  from: string;
  to: string;
}

const LAYER_OF = (file: string): string => file.split('/')[1] ?? '';
const ADAPTERS = new Set(['web', 'mcp', 'oauth', 'cli', 'seed', 'presenters']);
/** Adapter-side libraries any adapter may use: the client snippets and task renderings, the data generator. */
const SHARED = new Set(['presenters', 'seed']);

/** Every rule, as a predicate on one import edge (paths relative to the project root, e.g. src/domain/tasks.ts). */
export const RULES: { name: string; breaks(from: string, to: string): boolean }[] = [
  {
    name: 'platform-is-the-base: src/platform imports nothing of the product',
    breaks: (from, to) => LAYER_OF(from) === 'platform' && LAYER_OF(to) !== 'platform',
  },
  {
    name: 'domain-imports-no-adapter: src/domain imports only src/domain and src/platform',
    breaks: (from, to) => LAYER_OF(from) === 'domain' && !['domain', 'platform'].includes(LAYER_OF(to)),
  },
  {
    name: 'adapters-are-independent: web, mcp, oauth and cli share the domain (and presenters, seed), never each other',
    breaks: (from, to) => ADAPTERS.has(LAYER_OF(from)) && ADAPTERS.has(LAYER_OF(to)) && LAYER_OF(to) !== LAYER_OF(from) && !SHARED.has(LAYER_OF(to)),
  },
  {
    name: "adapters-do-not-import-the-app: only the CLI's serve starts it, through src/app/main.ts",
    breaks: (from, to) => LAYER_OF(to) === 'app' && LAYER_OF(from) !== 'app' && !(LAYER_OF(from) === 'cli' && to === 'src/app/main.ts'),
  },
  {
    name: "pages-do-not-import-pages: a page folder imports shared UI, never another area's pages",
    breaks: (from, to) => {
      const a = /^src\/web\/pages\/([^/]+)\//.exec(from)?.[1];
      const b = /^src\/web\/pages\/([^/]+)\//.exec(to)?.[1];
      return a !== undefined && b !== undefined && a !== b;
    },
  },
];

const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)|^import\s*['"](\.{1,2}\/[^'"]+)['"]/gm;

/** The relative imports of every .ts/.tsx file under `dir`, as edges between project-relative paths. */
export function importGraph(root: string, dir = 'src'): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(path.join(root, d), { withFileTypes: true })) {
      const p = path.posix.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.tsx?$/.test(e.name)) {
        const text = fs.readFileSync(path.join(root, p), 'utf8');
        const deps = [...text.matchAll(IMPORT_RE)].map((m) => path.posix.normalize(path.posix.join(path.posix.dirname(p), m[1] ?? m[2] ?? m[3]!)));
        graph.set(p, [...new Set(deps)]);
      }
    }
  };
  walk(dir);
  return graph;
}

export function violations(graph: Map<string, string[]>): Violation[] {
  const out: Violation[] = [];
  for (const [from, deps] of graph) for (const to of deps) for (const r of RULES) if (r.breaks(from, to)) out.push({ rule: r.name, from, to });
  // Cycles: depth-first search; each back edge closes one.
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) ?? []) {
      if (state.get(m) === 'open') out.push({ rule: `no-cycles: ${[...stack.slice(stack.indexOf(m)), m].join(' → ')}`, from: n, to: m });
      else if (!state.has(m) && graph.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const graph = importGraph(root);
  const found = violations(graph);
  for (const v of found) console.error(`${v.rule}\n  ${v.from} → ${v.to}`);
  console.log(`layers: ${graph.size} modules, ${[...graph.values()].reduce((n, d) => n + d.length, 0)} imports, ${found.length} violation(s)`);
  process.exit(found.length ? 1 : 0);
}
