import type { Config } from './config.ts';
import type { Db } from './db/client.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

/** What every request handler needs; built once per process. */
export interface AppContext {
  config: Config;
  db: Db;
  log: Logger;
  metrics: Metrics;
}
