/** Shared view pieces: layout, badges, notices, pagers. Hono JSX escapes every text and attribute value. */
import type { Child } from 'hono/jsx';
import type { Session } from '../../domain/sessions.ts';

export const ASSET_VERSION = '3';

export const STATUS_LABELS: Record<string, string> = {
  open: 'Open',
  in_progress: 'In progress',
  waiting: 'Waiting',
  done: 'Done',
  cancelled: 'Cancelled',
};
export const PRIORITY_LABELS: Record<string, string> = { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' };
export const ROLE_LABELS: Record<string, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };
export const AUTHOR_LABELS: Record<string, string> = { staff: 'Staff', customer: 'Customer', assistant: 'Assistant' };

export const isAdmin = (s: Session) => s.user.role === 'owner' || s.user.role === 'admin';

export type NavKey = 'tasks' | 'customers' | 'team' | 'settings' | 'account' | 'none';

function Head(props: { title: string }) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="referrer" content="same-origin" />
      <title>{props.title} · Taskline</title>
      <link rel="icon" href="/static/favicon.svg" type="image/svg+xml" />
      <link rel="stylesheet" href={`/static/app.css?v=${ASSET_VERSION}`} />
      <script src={`/static/app.js?v=${ASSET_VERSION}`} defer></script>
    </head>
  );
}

/** The links under a list: back to its first page (null on the first page) and on to the next (null on the last). */
export function Pager(props: { first: string | null; firstLabel: string; next: string | null; nextLabel: string }) {
  return (
    <nav class="pager" aria-label="Pages">
      {props.first === null ? <span /> : <a href={props.first}>{props.firstLabel}</a>}
      {props.next === null ? null : (
        <a class="btn" rel="next" href={props.next}>
          {props.nextLabel}
        </a>
      )}
    </nav>
  );
}

export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="_csrf" value={props.token} />;
}

/** A signed-in page. */
export function Layout(props: { title: string; session: Session; nav: NavKey; children?: Child }) {
  const s = props.session;
  const cur = (k: NavKey) => (props.nav === k ? 'page' : undefined);
  return (
    <html lang="en">
      <Head title={props.title} />
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="topbar">
          <div class="topbar-inner">
            <a class="brand" href="/tasks">
              <span class="brand-mark" aria-hidden="true">
                T
              </span>
              Taskline
            </a>
            <span class="ws-name">{s.workspace.name}</span>
            <nav class="mainnav" aria-label="Main">
              <a href="/tasks" aria-current={cur('tasks')}>
                Tasks
              </a>
              <a href="/customers" aria-current={cur('customers')}>
                Customers
              </a>
              {isAdmin(s) ? (
                <a href="/settings/team" aria-current={cur('team')}>
                  Team
                </a>
              ) : null}
              {isAdmin(s) ? (
                <a href="/settings/mcp" aria-current={cur('settings')}>
                  AI assistants
                </a>
              ) : null}
            </nav>
            <div class="userbox">
              <a class="who" href="/account" title={`Your account: ${s.user.email} · ${s.workspace.name}`} aria-current={cur('account')}>
                {s.user.name} <span class="badge b-role">{ROLE_LABELS[s.user.role]}</span>
              </a>
              <form method="post" action="/signout">
                <CsrfField token={s.csrfToken} />
                <button type="submit">Sign out</button>
              </form>
            </div>
          </div>
        </header>
        <main id="main">{props.children}</main>
      </body>
    </html>
  );
}

/** A page for someone not signed in (sign-in, errors before a session). */
export function BareLayout(props: { title: string; children?: Child }) {
  return (
    <html lang="en">
      <Head title={props.title} />
      <body>{props.children}</body>
    </html>
  );
}

export function Badge(props: { kind: string; children?: Child; label?: string }) {
  return (
    <span class={`badge b-${props.kind}`} title={props.label}>
      {props.children}
    </span>
  );
}
export const StatusBadge = (p: { status: string }) => <Badge kind={p.status}>{STATUS_LABELS[p.status] ?? p.status}</Badge>;
export const PriorityBadge = (p: { priority: string }) => <Badge kind={p.priority}>{PRIORITY_LABELS[p.priority] ?? p.priority}</Badge>;
export const AuthorBadge = (p: { kind: string }) => <Badge kind={p.kind}>{AUTHOR_LABELS[p.kind] ?? p.kind}</Badge>;

export function Notice(props: { kind: 'ok' | 'error' | 'warn' | 'info'; title?: string; children?: Child }) {
  return (
    <div class={`notice notice-${props.kind}`} role={props.kind === 'error' ? 'alert' : 'status'}>
      {props.title ? <strong>{props.title}</strong> : null}
      {props.children}
    </div>
  );
}

/** Breadcrumb, heading and (after a refused submit) the error, on a page that creates something. */
export function CreatePageHead(props: { parent: { href: string; label: string }; title: string; error?: string; errorTitle: string }) {
  return (
    <>
      <div class="crumbs">
        <a href={props.parent.href}>{props.parent.label}</a> / New
      </div>
      <div class="page-head">
        <h1>{props.title}</h1>
      </div>
      {props.error ? (
        <Notice kind="error" title={props.errorTitle}>
          {props.error}
        </Notice>
      ) : null}
    </>
  );
}

export function Empty(props: { title: string; children?: Child }) {
  return (
    <div class="empty">
      <h3>{props.title}</h3>
      {props.children}
    </div>
  );
}

const pad = (n: number) => String(n).padStart(2, '0');

/** 2026-11-22 14:03 UTC */
export function formatUtc(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

export function formatDate(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export function relative(d: Date, now = Date.now()): string {
  const s = Math.round((now - d.getTime()) / 1000);
  const future = s < 0;
  const a = Math.abs(s);
  let out: string;
  if (a < 45) return future ? 'in a moment' : 'just now';
  else if (a < 3600) out = `${Math.round(a / 60)} min`;
  else if (a < 86400) out = `${Math.round(a / 3600)} h`;
  else if (a < 86400 * 45) out = `${Math.round(a / 86400)} d`;
  else return formatDate(d);
  return future ? `in ${out}` : `${out} ago`;
}

/** A timestamp: relative text, exact UTC time on hover and for machines. */
export function Time(props: { d: Date | null | undefined; empty?: string; abs?: boolean }) {
  if (!props.d) return <span class="muted">{props.empty ?? '—'}</span>;
  return (
    <time datetime={props.d.toISOString()} title={formatUtc(props.d)}>
      {props.abs ? formatUtc(props.d) : relative(props.d)}
    </time>
  );
}

/** A copy button (revealed by app.js) for the element with the given id. */
export function CopyButton(props: { target: string; label?: string }) {
  const status = `${props.target}-status`;
  return (
    <span class="copy">
      <button type="button" class="btn btn-sm" data-copy={props.target} data-status={status} hidden>
        {props.label ?? 'Copy'}
      </button>
      <span id={status} class="sr-only" aria-live="polite"></span>
    </span>
  );
}

/** Build a query string from the non-empty values. */
export function qs(params: Record<string, string | number | null | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
}
