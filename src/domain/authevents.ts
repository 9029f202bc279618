/**
 * In-process signal that something about a workspace's token checks changed (a credential revoked or edited, the
 * workspace's MCP switch or policy). The database trigger of 0005_auth_notify.sql tells every instance at commit
 * (LISTEN/NOTIFY), but that notification reaches this process's own listener connection asynchronously: a request
 * sent right after the change was acknowledged could still be answered from the old check. The domain functions that
 * make such changes call authChanged() after their write, so the process that made a change has forgotten the old
 * checks before the change is acknowledged; other processes rely on the notification.
 */
type Listener = (workspaceId: string) => void;

const listeners = new Set<Listener>();

export function onAuthChange(fn: Listener): () => void {
  listeners.add(fn);
  return () => void listeners.delete(fn);
}

export function authChanged(workspaceId: string): void {
  for (const fn of listeners) fn(workspaceId);
}
