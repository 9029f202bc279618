import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importGraph, violations } from '../../scripts/check-layers.ts';

const root = path.resolve(import.meta.dirname, '../..');

test('the source tree keeps the dependency rule: no violation, no cycle', () => {
  const graph = importGraph(root);
  assert.ok(graph.size > 50, `the checker read the tree (${graph.size} modules)`);
  assert.ok(
    graph.get('src/mcp/handler.ts')?.some((d) => d.startsWith('src/domain/')),
    'edges resolve to project paths',
  );
  assert.deepEqual(violations(graph), []);
});

test('each rule catches the import it forbids, in a tree written for the purpose', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskline-layers-'));
  const write = (file: string, body: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), body);
  };
  try {
    write('src/platform/log.ts', "import { x } from '../domain/tasks.ts';\n");
    write('src/domain/tasks.ts', "export const x = 1;\nimport type { Y } from '../web/pages/tasks/list.tsx';\n");
    write('src/domain/a.ts', "import { b } from './b.ts';\nexport const a = 1;\n");
    write('src/domain/b.ts', "export { a as b } from './a.ts';\n");
    write('src/mcp/tool.ts', "const m = await import('../cli/index.ts');\n");
    write('src/cli/index.ts', "import '../app/routes.ts';\n");
    write('src/app/routes.ts', '');
    write('src/web/pages/tasks/list.tsx', "import { Page } from '../settings/page.tsx';\nimport { ui } from '../../ui/ui.tsx';\n");
    write('src/web/pages/settings/page.tsx', "import { present } from '../../../presenters/task.ts';\n");
    write('src/web/ui/ui.tsx', '');
    write('src/presenters/task.ts', '');
    const found = violations(importGraph(dir)).map((v) => `${v.rule.split(':')[0]} ${v.from} → ${v.to}`);
    assert.deepEqual(found.sort(), [
      'adapters-are-independent src/mcp/tool.ts → src/cli/index.ts',
      'adapters-do-not-import-the-app src/cli/index.ts → src/app/routes.ts',
      'domain-imports-no-adapter src/domain/tasks.ts → src/web/pages/tasks/list.tsx',
      'no-cycles src/domain/b.ts → src/domain/a.ts',
      'pages-do-not-import-pages src/web/pages/tasks/list.tsx → src/web/pages/settings/page.tsx',
      'platform-is-the-base src/platform/log.ts → src/domain/tasks.ts',
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
