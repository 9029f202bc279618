import type { Clock } from '../platform/context.ts';
import type { Db, Queryable } from '../platform/db/client.ts';
import { tokenKey, tokenShape } from '../platform/crypto/tokens.ts';
import { authenticate, type AuthResult, type Credential } from './credentials.ts';
import { onAuthChange } from './authevents.ts';
import { credentialState } from './policy.ts';
import { isUuid, type Workspace } from './workspaces.ts';

interface Entry {
  workspace: Workspace;
  credential: Credential;
  /** The answer given on every hit (callers only read it). */
  result: AuthResult & { ok: true };
  at: number;
}

/** The NOTIFY channel of migration 0005_auth_notify.sql; the payload is a workspace id. */
export const AUTH_CHANNEL = 'taskline_auth';

/**
 * Successful token checks, remembered per (workspace, token hash) so that an assistant's calls skip the token
 * lookup (one statement of two on the getTaskDetails path). Correctness rests on invalidation, not on expiry:
 * - every change that could alter a check — a credential revoked, edited or deleted, a workspace's MCP switch or
 *   policy changed — fires a trigger that NOTIFYs the workspace id (0005_auth_notify.sql), on every instance, whoever
 *   wrote it; the workspace's entries are dropped when it arrives (on PostgreSQL, at the other instances' commit) —
 *   and in the process that made the change, synchronously before the change is acknowledged (authevents.ts);
 * - nothing is cached while the LISTEN connection is down, and the cache starts empty each time it is back;
 * - a check that was already running when its workspace was invalidated is not stored (a generation per workspace),
 *   so a lookup that read the row before a revoke cannot put it back afterwards;
 * - expiry dates are checked on every use, and entries are dropped after `ttlMs` regardless.
 * Failed checks are never cached: each one goes to the database (and counts toward the address's 401 limit).
 */
export class AuthCache {
  private readonly byWorkspace = new Map<string, Map<string, Entry>>();
  private readonly generations = new Map<string, number>();
  /** Bumped whenever everything is dropped (the channel went down or came back). */
  private epoch = 0;
  private size = 0;
  private ready = false;
  private unlisten: (() => Promise<void>) | null = null;
  private offLocal: (() => void) | null = null;
  readonly stats = { hits: 0, misses: 0, invalidations: 0 };

  constructor(
    private readonly db: Db,
    private readonly opts: { ttlMs?: number; maxEntries?: number; onLost?: () => void; now?: Clock } = {},
  ) {}

  /** Subscribe to invalidations; until this resolves (and whenever the subscription is down) every check is a lookup. */
  async start(): Promise<void> {
    // Changes made by this process are forgotten before they are acknowledged (authevents.ts), not when their
    // notification comes back round.
    this.offLocal = onAuthChange((workspaceId) => this.forget(workspaceId));
    this.unlisten = await this.db.listen(AUTH_CHANNEL, {
      onMessage: (workspaceId) => this.forget(workspaceId),
      onReady: () => {
        this.clear();
        this.ready = true;
      },
      onLost: () => {
        this.ready = false;
        this.clear();
        this.opts.onLost?.();
      },
    });
  }

  async close(): Promise<void> {
    this.offLocal?.();
    this.offLocal = null;
    this.ready = false;
    this.clear();
    await this.unlisten?.();
    this.unlisten = null;
  }

  /** Whether checks are being remembered now (the invalidation channel is up). */
  get active(): boolean {
    return this.ready;
  }

  get entries(): number {
    return this.size;
  }

  /**
   * The remembered answer when this token passed before and nothing about it changed since, without a promise (the
   * MCP hot path asks this first); null when authenticate() has to look.
   */
  remembered(workspaceId: string, token: string | null | undefined): AuthResult | null {
    if (!this.ready || !isUuid(workspaceId) || tokenShape(token) !== 'ok') return null;
    const key = tokenKey(token!);
    const now = (this.opts.now ?? Date.now)();
    const hit = this.byWorkspace.get(workspaceId)?.get(key);
    if (hit && now - hit.at < (this.opts.ttlMs ?? 60_000) && credentialState(hit.credential, new Date(now)) === 'active') {
      this.stats.hits++;
      return hit.result;
    }
    if (hit) this.drop(workspaceId, key);
    return null;
  }

  /** authenticate(), answered from memory when this token passed before and nothing about it changed since. */
  async authenticate(q: Queryable, workspaceId: string, token: string | null | undefined): Promise<AuthResult> {
    const known = this.remembered(workspaceId, token);
    if (known) return known;
    if (!this.ready || !isUuid(workspaceId) || tokenShape(token) !== 'ok') return authenticate(q, workspaceId, token);
    const key = tokenKey(token!);
    this.stats.misses++;
    const generation = this.generations.get(workspaceId) ?? 0;
    const epoch = this.epoch;
    const r = await authenticate(q, workspaceId, token);
    const unchanged = epoch === this.epoch && (this.generations.get(workspaceId) ?? 0) === generation;
    if (r.ok && this.ready && unchanged) this.store(workspaceId, key, r.workspace, r.credential);
    return r;
  }

  /** Drop a workspace's entries, and refuse to store lookups that started before now. */
  forget(workspaceId: string): void {
    this.stats.invalidations++;
    this.generations.set(workspaceId, (this.generations.get(workspaceId) ?? 0) + 1);
    const m = this.byWorkspace.get(workspaceId);
    if (m) {
      this.size -= m.size;
      this.byWorkspace.delete(workspaceId);
    }
  }

  private clear(): void {
    // Lookups in flight may have read rows whose change notification is lost: none of them may be stored.
    this.epoch++;
    this.byWorkspace.clear();
    this.size = 0;
  }

  private drop(workspaceId: string, key: string): void {
    const m = this.byWorkspace.get(workspaceId);
    if (m?.delete(key)) this.size--;
  }

  private store(workspaceId: string, key: string, workspace: Workspace, credential: Credential): void {
    if (this.size >= (this.opts.maxEntries ?? 10_000)) {
      // Full: start over rather than track recency (the working set of a real instance is far smaller).
      this.byWorkspace.clear();
      this.size = 0;
    }
    let m = this.byWorkspace.get(workspaceId);
    if (!m) {
      m = new Map();
      this.byWorkspace.set(workspaceId, m);
    }
    if (!m.has(key)) this.size++;
    m.set(key, { workspace, credential, result: { ok: true, workspace, credential }, at: (this.opts.now ?? Date.now)() });
  }
}
