import { z } from 'zod';

const bool01 = z.enum(['0', '1']).transform((v) => v === '1');
const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  ALLOWED_ORIGINS: csv.optional(),
  ALLOWED_HOSTS: csv.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TASKLINE_DEMO: bool01.optional(),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  RATE_LIMIT_TOOL_CALLS: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_AUTH_FAILURES: z.coerce.number().int().min(1).default(30),
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters (e.g. `openssl rand -hex 32`)')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional(),
  RATE_LIMIT_CONTACT_MISSES: z.coerce.number().int().min(1).default(30),
  OAUTH_DCR: bool01.default(true),
  RATE_LIMIT_CLIENT_REGISTRATIONS: z.coerce.number().int().min(1).default(20),
  OAUTH_CIMD_ALLOW_LOOPBACK: bool01.default(false),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps:// (e.g. smtps://user:password@smtp.example.com:465)')
    .optional(),
  MAIL_FROM: z.string().min(3).max(320).optional(),
  SHUTDOWN_DRAIN_MS: z.coerce.number().int().min(0).max(120_000).default(0),
});

/** Never echoed back in a configuration error. */
const SECRETS = new Set(['METRICS_TOKEN', 'DATABASE_URL', 'SMTP_URL']);

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  publicUrl: string;
  allowedOrigins: string[];
  allowedHosts: string[];
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  /** undefined: decide by store (embedded → on when the database is empty; DATABASE_URL → off). */
  demo: boolean | undefined;
  dbPoolMax: number;
  /** tools/call per credential per minute, across all instances. */
  rateLimitToolCalls: number;
  /** Failed authentications (401) per client IP per minute before 429. */
  rateLimitAuthFailures: number;
  /** How many proxies you run in front of Taskline: the client address is read that many entries from the right of X-Forwarded-For (0: the socket's peer). */
  trustProxy: number;
  /** Bearer token that /metrics requires; unset: /metrics is off. */
  metricsToken: string | undefined;
  /**
   * Phone/email lookups that matched nobody, per credential per hour, before that credential's phone and email
   * search pauses (only for credentials that see contact details masked: the probes that could unmask them).
   */
  rateLimitContactMisses: number;
  /** The OAuth issuer: PUBLIC_URL's origin, never taken from a request. */
  issuer: string;
  /** Whether clients may register themselves (RFC 7591); Client ID Metadata Documents work either way. */
  oauthDcr: boolean;
  /** Client registrations per client IP per hour, across all instances. */
  rateLimitClientRegistrations: number;
  /** Tests only: fetch Client ID Metadata Documents from loopback addresses (and over http there). */
  oauthCimdAllowLoopback: boolean;
  /**
   * On SIGTERM, how long to keep serving while /readyz answers 503 (so a load balancer's health check takes this
   * instance out) before it stops accepting connections. 0: stop at once (one instance, no balancer).
   */
  shutdownDrainMs: number;
  /** Where invitation and password-reset emails go out (nodemailer); unset: nothing is ever sent. */
  mail: { smtpUrl: string; from: string } | null;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** loadConfig() for the entry points: on a ConfigError, print every problem to stderr and return null (exit 2). */
export function loadConfigOrReport(env: NodeJS.ProcessEnv = process.env): Config | null {
  try {
    return loadConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    for (const p of err.problems) process.stderr.write(`taskline: invalid configuration: ${p}\n`);
    return null;
  }
}

/** Parse the environment once into a typed object; throws ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "unset" (e.g. `DATABASE_URL= npm start`).
  const cleaned = Object.fromEntries(Object.keys(EnvSchema.shape).flatMap((k) => (env[k] === undefined || env[k] === '' ? [] : [[k, env[k]]])));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const key = String(i.path[0]);
        const got = SECRETS.has(key) ? `${String(cleaned[key]).length} characters, not shown` : JSON.stringify(cleaned[key]);
        return `${i.path.join('.') || 'env'}: ${i.message} (got ${got})`;
      }),
    );
  }
  const e = parsed.data;
  if (e.SMTP_URL && !e.MAIL_FROM)
    throw new ConfigError(['MAIL_FROM: set it with SMTP_URL — the sender of invitation and reset emails (e.g. "Taskline <taskline@example.com>")']);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  const pub = new URL(publicUrl);
  const port = e.PORT;
  const defaultHosts = [pub.host, `localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`];
  // The origins of the default hosts: a browser page on any name the server answers to by default may call it.
  const defaultOrigins = [pub.origin, ...defaultHosts.slice(1).map((h) => `http://${h}`)];
  return {
    port,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.DATA_DIR,
    publicUrl,
    allowedOrigins: [...new Set(e.ALLOWED_ORIGINS ?? defaultOrigins)],
    allowedHosts: [...new Set((e.ALLOWED_HOSTS ?? defaultHosts).map((h) => h.toLowerCase()))],
    logLevel: e.LOG_LEVEL,
    demo: e.TASKLINE_DEMO,
    dbPoolMax: e.DB_POOL_MAX,
    rateLimitToolCalls: e.RATE_LIMIT_TOOL_CALLS,
    rateLimitAuthFailures: e.RATE_LIMIT_AUTH_FAILURES,
    trustProxy: e.TRUST_PROXY,
    metricsToken: e.METRICS_TOKEN,
    rateLimitContactMisses: e.RATE_LIMIT_CONTACT_MISSES,
    issuer: pub.origin,
    oauthDcr: e.OAUTH_DCR,
    rateLimitClientRegistrations: e.RATE_LIMIT_CLIENT_REGISTRATIONS,
    oauthCimdAllowLoopback: e.OAUTH_CIMD_ALLOW_LOOPBACK,
    mail: e.SMTP_URL && e.MAIL_FROM ? { smtpUrl: e.SMTP_URL, from: e.MAIL_FROM } : null,
    shutdownDrainMs: e.SHUTDOWN_DRAIN_MS,
  };
}
