import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';

test('defaults', () => {
  const c = loadConfig({});
  assert.equal(c.port, 3000);
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.dataDir, './data');
  assert.equal(c.publicUrl, 'http://localhost:3000');
  // The origins of the default hosts, so a page on 127.0.0.1 or [::1] (as the conformance suite sends) is allowed too.
  assert.deepEqual(c.allowedOrigins, ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']);
  assert.deepEqual(c.allowedHosts, ['localhost:3000', '127.0.0.1:3000', '[::1]:3000']);
  const pub = loadConfig({ PUBLIC_URL: 'https://tasks.example.com' });
  assert.deepEqual(pub.allowedOrigins, ['https://tasks.example.com', 'http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']);
  assert.equal(c.logLevel, 'info');
  assert.equal(c.demo, undefined);
});

test('values are parsed and lists split', () => {
  const c = loadConfig({
    PORT: '8080',
    PUBLIC_URL: 'https://tasks.example.com/',
    ALLOWED_ORIGINS: 'https://a.example, https://b.example',
    TASKLINE_DEMO: '0',
    DATABASE_URL: 'postgres://u@h/db',
    DATA_DIR: '',
  });
  assert.equal(c.port, 8080);
  assert.equal(c.publicUrl, 'https://tasks.example.com');
  assert.deepEqual(c.allowedOrigins, ['https://a.example', 'https://b.example']);
  assert.ok(c.allowedHosts.includes('tasks.example.com'));
  assert.equal(c.demo, false);
  assert.equal(c.dataDir, './data');
});

test('every invalid value is reported, one line each', () => {
  assert.throws(
    () => loadConfig({ PORT: 'eighty', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', TASKLINE_DEMO: 'yes' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 4);
      assert.match(err.problems.join('\n'), /PORT/);
      assert.match(err.problems.join('\n'), /LOG_LEVEL/);
      assert.match(err.problems.join('\n'), /DATABASE_URL/);
      assert.match(err.problems.join('\n'), /TASKLINE_DEMO/);
      return true;
    },
  );
  assert.throws(() => loadConfig({ PORT: '70000' }), ConfigError);
});
