import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { Mailer } from './mail/mailer.ts';

/** What every request handler needs; built once per process. */
export interface AppContext {
  config: Config;
  db: Db;
  log: Logger;
  metrics: Metrics;
  /** Milliseconds since the epoch for the in-process limits and caches (the database keeps its own clock). */
  clock: Clock;
  /** Outgoing email, when SMTP_URL is configured; null: nothing is ever sent. */
  mailer: Mailer | null;
}

/** `Date.now` in production; tests pass one they can move instead of waiting. */
export type Clock = () => number;
