/**
 * Several Taskline instances on one PostgreSQL behind HAProxy (Debian's `haproxy` package), as the README's
 * "Running several instances" describes — `npm run cluster -- --instances 3 --port 8080` with DATABASE_URL set —
 * and the library the rolling-restart test drives (test/cluster/rolling.test.ts).
 *
 * Each instance is `taskline serve` with SHUTDOWN_DRAIN_MS: on SIGTERM it answers /readyz with 503 while it keeps
 * serving, HAProxy's health check (every 250 ms, out after one failure) stops sending it requests, then it closes
 * its connections after their answers and exits. HAProxy retries a request whose connection failed or got no answer
 * on another instance; only a request whose instance died while running it can fail.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface ClusterOptions {
  databaseUrl: string;
  instances: number;
  /** The balancer's port (0: any free one). */
  port?: number;
  /** Extra environment for every instance. */
  env?: Record<string, string>;
  drainMs?: number;
  haproxy?: string;
  log?: (line: string) => void;
}

export interface Instance {
  name: string;
  port: number;
  proc: ChildProcess | null;
  /** SIGTERM, wait for the exit, start again on the same port, wait until the balancer sends it requests. */
  restart(): Promise<void>;
  /** SIGKILL, as a crash would. */
  kill9(): Promise<void>;
  start(): Promise<void>;
}

export interface Cluster {
  url: string;
  instances: Instance[];
  /** Is this instance in rotation (HAProxy's view, from its stats socket)? */
  isUp(name: string): Promise<boolean>;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The balancer configuration: round robin over the instances, health checks on /readyz, keep-alive to clients and
 * instances, client timeouts longer than any answer, retries of requests that reached no instance.
 */
export function haproxyConfig(o: { bind: string; servers: { name: string; address: string }[]; statsSocket: string }): string {
  return `global
  maxconn 4096
  stats socket ${o.statsSocket} mode 600 level admin

defaults
  mode http
  timeout connect 2s
  timeout client 70s
  timeout server 35s
  timeout http-request 30s
  timeout http-keep-alive 60s
  option forwardfor
  # A request whose connection failed, or that got no answer because its instance went away, is sent again to
  # another instance. MCP calls that write carry idempotency keys, so a repeat returns the first result.
  retries 3
  option redispatch 1
  retry-on conn-failure empty-response response-timeout

frontend taskline
  bind ${o.bind}
  default_backend instances

backend instances
  balance roundrobin
  option httpchk GET /readyz
  http-check expect status 200
  default-server check inter 250ms fall 1 rise 2
${o.servers.map((s) => `  server ${s.name} ${s.address}`).join('\n')}
`;
}

async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function startCluster(o: ClusterOptions): Promise<Cluster> {
  const log = o.log ?? (() => {});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'taskline-cluster-'));
  const statsSocket = path.join(dir, 'haproxy.sock');
  const port = o.port || (await freePort());
  const instances: Instance[] = [];

  for (let i = 0; i < o.instances; i++) {
    const name = `t${i + 1}`;
    const instancePort = await freePort();
    let exited: Promise<void> = Promise.resolve();
    const inst: Instance = {
      name,
      port: instancePort,
      proc: null,
      async start() {
        const proc = spawn(process.execPath, [path.join(ROOT, 'bin/taskline.js'), 'serve'], {
          cwd: ROOT,
          env: {
            ...process.env,
            ...o.env,
            DATABASE_URL: o.databaseUrl,
            PORT: String(instancePort),
            HOST: '127.0.0.1',
            PUBLIC_URL: `http://127.0.0.1:${port}`,
            TRUST_PROXY: '1',
            TASKLINE_DEMO: '0',
            SHUTDOWN_DRAIN_MS: String(o.drainMs ?? 1500),
            LOG_LEVEL: 'warn',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        inst.proc = proc;
        exited = new Promise((resolve) => proc.once('exit', () => resolve()));
        proc.stderr!.on('data', (d: Buffer) => log(`[${name}] ${d.toString().trimEnd()}`));
        proc.stdout!.resume();
        await waitFor(`${name} ready`, async () => (await fetch(`http://127.0.0.1:${instancePort}/readyz`)).status === 200);
      },
      async restart() {
        inst.proc?.kill('SIGTERM');
        await exited;
        log(`[${name}] stopped, starting again`);
        await inst.start();
        await waitFor(`${name} back in rotation`, () => cluster.isUp(name));
      },
      async kill9() {
        inst.proc?.kill('SIGKILL');
        await exited;
      },
    };
    instances.push(inst);
  }
  await Promise.all(instances.map((i) => i.start()));

  const cfg = path.join(dir, 'haproxy.cfg');
  fs.writeFileSync(
    cfg,
    haproxyConfig({ bind: `127.0.0.1:${port}`, servers: instances.map((i) => ({ name: i.name, address: `127.0.0.1:${i.port}` })), statsSocket }),
  );
  const haproxy = spawn(o.haproxy ?? 'haproxy', ['-W', '-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  haproxy.stderr!.on('data', (d: Buffer) => log(`[haproxy] ${d.toString().trimEnd()}`));
  haproxy.stdout!.resume();
  const haproxyExited = new Promise<void>((resolve) => haproxy.once('exit', () => resolve()));

  const stat = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const s = net.connect(statsSocket);
      let out = '';
      s.on('data', (d) => (out += d));
      s.on('end', () => resolve(out));
      s.on('error', reject);
      s.end('show stat\n');
    });
  const cluster: Cluster = {
    url: `http://127.0.0.1:${port}`,
    instances,
    async isUp(name) {
      const line = (await stat()).split('\n').find((l) => l.startsWith(`instances,${name},`));
      return line?.split(',')[17] === 'UP';
    },
    async stop() {
      haproxy.kill('SIGTERM');
      await Promise.all(
        instances.map(async (i) => {
          i.proc?.kill('SIGTERM');
          if (i.proc && i.proc.exitCode === null) await new Promise((r) => i.proc!.once('exit', r));
        }),
      );
      await haproxyExited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await waitFor('haproxy and every instance in rotation', async () => (await Promise.all(instances.map((i) => cluster.isUp(i.name)))).every(Boolean));
  return cluster;
}

/** deploy/haproxy.cfg, for compose.yaml: the same configuration, for two instances named by the compose services. */
export const COMPOSE_HAPROXY_CONFIG = haproxyConfig({
  bind: '*:8080',
  servers: [
    { name: 'taskline-1', address: 'taskline-1:3000' },
    { name: 'taskline-2', address: 'taskline-2:3000' },
  ],
  statsSocket: '/tmp/haproxy.sock',
});

// `npm run cluster -- [--instances N] [--port P]`: run until Ctrl-C.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string, dflt: number) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : dflt;
  };
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    process.stderr.write('cluster: set DATABASE_URL (the instances share one PostgreSQL; the embedded store serves one process)\n');
    process.exit(2);
  }
  const cluster = await startCluster({
    databaseUrl,
    instances: arg('instances', 3),
    port: arg('port', 8080),
    log: (l) => process.stderr.write(`${l}\n`),
  });
  process.stdout.write(
    `Taskline behind HAProxy: ${cluster.url}  (instances ${cluster.instances.map((i) => `${i.name}=127.0.0.1:${i.port}`).join(', ')})\n` +
      'Ctrl-C stops everything.\n',
  );
  const stop = () => cluster.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
