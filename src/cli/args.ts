/** Argument parsing and output helpers shared by the CLI's commands. */
import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../platform/config.ts';
import type { Db } from '../platform/db/client.ts';
import type { Credential } from '../domain/credentials.ts';

export class UsageError extends Error {}

export type Options = NonNullable<ParseArgsConfig['options']>;
export interface Command {
  usage: string;
  options: Options;
  positionals?: number;
  db?: boolean; // needs the database (all but serve)
  run(args: { values: Record<string, string | boolean | undefined>; positionals: string[]; db: Db; config: Config; json: boolean }): Promise<unknown>;
}

export const JSON_OPT: Options = { json: { type: 'boolean' } };

export function onOff(v: string | boolean | undefined, flag: string): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === 'on' || v === 'true') return true;
  if (v === 'off' || v === 'false') return false;
  throw new UsageError(`${flag} takes on or off (got ${JSON.stringify(v)})`);
}

export function intArg(v: string | boolean | undefined, flag: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(String(v).replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return n;
}

export function need(v: string | boolean | undefined, flag: string): string {
  if (typeof v !== 'string' || !v.trim()) throw new UsageError(`${flag} is required`);
  return v;
}

/** "90d", "12h", "30m", "2w" → Date in the future. */
export function parseDuration(s: string): Date {
  const m = /^(\d+)([mhdw])$/.exec(s.trim());
  if (!m || Number(m[1]) === 0) throw new UsageError(`--expires-in takes a duration like 30m, 12h, 90d or 2w (got ${JSON.stringify(s)})`);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[m[2] as 'm' | 'h' | 'd' | 'w'];
  return new Date(Date.now() + Number(m[1]) * unit);
}

export function credentialJson(c: Credential) {
  return {
    id: c.id,
    workspaceId: c.workspaceId,
    name: c.name,
    kind: c.kind,
    clientId: c.clientId,
    preview: c.preview,
    state: c.state,
    tools: c.tools,
    allowCustomerComments: c.allowCustomerComments,
    verificationFactors: c.verificationFactors,
    revealCustomerContact: c.revealCustomerContact,
    expiresAt: c.expiresAt,
    revokedAt: c.revokedAt,
    createdAt: c.createdAt,
    lastUsedAt: c.lastUsedAt,
  };
}

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export const fmtDate = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').slice(0, 16) : '—');
export const table = (rows: string[][]): string => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
};
