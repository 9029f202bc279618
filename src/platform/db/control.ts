/**
 * The embedded store belongs to one process, so a command that needs a consistent copy of it while the server runs
 * asks the server. The server writes where and how to ask into its data directory (readable only by the user that
 * owns the data anyway): its loopback URL and a random secret for this run. The file goes when the server stops.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const CONTROL_FILE = 'taskline.control.json';
/** Where a running server answers `taskline backup` with a snapshot (src/app/routes.ts). */
export const SNAPSHOT_PATH = '/_internal/snapshot';

export interface Control {
  pid: number;
  url: string;
  secret: string;
}

/** Write this run's control file; returns the secret and a function that removes the file. */
export function writeControlFile(dataDir: string, url: string): { secret: string; remove(): void } {
  const secret = randomBytes(32).toString('base64url');
  const file = path.join(dataDir, CONTROL_FILE);
  fs.writeFileSync(file, JSON.stringify({ pid: process.pid, url, secret } satisfies Control), { mode: 0o600 });
  return {
    secret,
    remove: () => {
      try {
        const held = JSON.parse(fs.readFileSync(file, 'utf8')) as Control;
        if (held.pid === process.pid) fs.unlinkSync(file);
      } catch {
        /* already gone */
      }
    },
  };
}

/** The running server's control file, or null when no live server owns this data directory. */
export function readControlFile(dataDir: string): Control | null {
  try {
    const c = JSON.parse(fs.readFileSync(path.join(dataDir, CONTROL_FILE), 'utf8')) as Control;
    process.kill(c.pid, 0);
    return c;
  } catch {
    return null;
  }
}
