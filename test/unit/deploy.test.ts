/** The balancer configuration compose.yaml mounts is the one scripts/cluster.ts runs in the rolling-restart test. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/proc.ts';
import { COMPOSE_HAPROXY_CONFIG } from '../../scripts/cluster.ts';

test('deploy/haproxy.cfg is generated from the tested configuration (regenerate it when this fails)', () => {
  const file = fs.readFileSync(path.join(ROOT, 'deploy/haproxy.cfg'), 'utf8');
  assert.equal(
    file,
    COMPOSE_HAPROXY_CONFIG,
    'node --import tsx -e "import(\'./scripts/cluster.ts\').then((m) => process.stdout.write(m.COMPOSE_HAPROXY_CONFIG))" > deploy/haproxy.cfg',
  );
  assert.match(file, /option httpchk GET \/readyz/);
  assert.match(file, /server taskline-2 taskline-2:3000/);
});
