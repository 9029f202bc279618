/** Plumbing shared by the web routes: context types, rendering, form parsing, guards, error pages. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppContext } from '../platform/context.ts';
import type { Session } from '../domain/sessions.ts';
import { DomainError } from '../domain/errors.ts';
import { clientAddress } from '../platform/http/clientAddress.ts';
import { BareLayout, Layout, isAdmin, type NavKey } from './ui/ui.tsx';

export interface WebEnv {
  Bindings: { incoming?: IncomingMessage; outgoing?: ServerResponse };
  /** formAction: one more place this page's forms may lead to (the consent page's redirect back to the assistant). */
  Variables: { session: Session | null; requestId: string | undefined; formAction?: string };
}
export type Ctx = Context<WebEnv>;
export type WebApp = Hono<WebEnv>;
export interface Deps {
  app: WebApp;
  ctx: AppContext;
}

/** Render a JSX page as a complete HTML document. */
export async function render(c: Ctx, page: Child, status = 200, headers: Record<string, string> = {}): Promise<Response> {
  const body = await (page as { toString(): string | Promise<string> }).toString();
  return c.html('<!doctype html>' + body, status as 200, headers);
}

/** 303 See Other: after a POST, the browser GETs the target (no resubmission on reload). */
export function seeOther(c: Ctx, location: string): Response {
  return c.redirect(location, 303);
}

/** A parsed urlencoded/multipart form. */
export class Form {
  constructor(private readonly data: Record<string, unknown>) {}
  static async of(c: Ctx): Promise<Form> {
    const ct = c.req.header('content-type') ?? '';
    if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(ct)) return new Form({});
    return new Form((await c.req.parseBody({ all: true })) as Record<string, unknown>);
  }
  /** The field as trimmed text ('' when absent; the first value when repeated). */
  str(name: string): string {
    const v = this.data[name];
    const first = Array.isArray(v) ? v[0] : v;
    return typeof first === 'string' ? first.trim() : '';
  }
  /** The field exactly as sent (no trimming), for passwords and long text. */
  raw(name: string): string {
    const v = this.data[name];
    const first = Array.isArray(v) ? v[0] : v;
    return typeof first === 'string' ? first : '';
  }
  all(name: string): string[] {
    const v = this.data[name];
    return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
  }
  bool(name: string): boolean {
    const v = this.str(name);
    return v === 'on' || v === '1' || v === 'true';
  }
  has(name: string): boolean {
    return name in this.data;
  }
}

/** The page's `?notice=` message, if the key is one of `notices` (own keys only: `?notice=constructor` is nothing). */
export function noticeFrom(c: Ctx, notices: Readonly<Record<string, string>>): string | undefined {
  const key = c.req.query('notice');
  return key !== undefined && Object.hasOwn(notices, key) ? notices[key] : undefined;
}

/**
 * A calendar day typed as YYYY-MM-DD, as the start of that day in UTC — or null when it is not a real day (2026-02-31)
 * or not one PostgreSQL can hold once a day is added to it (years 1–9998).
 */
export function parseDay(s: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return null;
  const d = new Date(`${s}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== s) return null;
  const year = d.getUTCFullYear();
  return year >= 1 && year <= 9998 ? d : null;
}

/** A same-site path to return to after sign-in; anything else becomes /tasks. */
export function safeNext(next: string | undefined | null): string {
  // A path on this site: one leading slash, printable ASCII, no backslash (browsers treat "/\host" like "//host").
  // Up to 4 KB: an OAuth authorization request (client URL, redirect URI, state, challenge, resource) comes back here.
  if (!next || !/^\/(?![/\\])[!-[\]-~]*$/.test(next) || next.length > 4096) return '/tasks';
  if (next.startsWith('/signin') || next.startsWith('/signout')) return '/tasks';
  return next;
}

export function redirectToSignin(c: Ctx): Response {
  const here = c.req.method === 'GET' ? new URL(c.req.url).pathname + new URL(c.req.url).search : '/tasks';
  return c.redirect(`/signin${here && here !== '/tasks' && here !== '/' ? `?next=${encodeURIComponent(here)}` : ''}`, 303);
}

type Handler = (c: Ctx, s: Session) => Response | Promise<Response>;

/** The route needs a signed-in user. */
export const authed =
  (h: Handler) =>
  (c: Ctx): Response | Promise<Response> => {
    const s = c.get('session');
    if (!s) return redirectToSignin(c);
    return h(c, s);
  };

/** The route needs an owner or admin; members get a 403 page that says whom to ask. */
export const adminOnly = (h: Handler) =>
  authed((c, s) => {
    if (!isAdmin(s))
      return errorPage(c, 403, {
        title: 'Only admins can open this page',
        body: (
          <p>The team and the AI assistants (MCP) are managed by the workspace's owners and admins. Ask one of them to make the change for you.</p>
        ),
      });
    return h(c, s);
  });

export interface ErrorInfo {
  title: string;
  body?: Child;
  headers?: Record<string, string>;
}

/** An error page that says what happened and what to do; inside the app shell when signed in. */
export function errorPage(c: Ctx, status: number, e: ErrorInfo): Promise<Response> {
  const s = c.get('session');
  const requestId = c.get('requestId');
  const content = (
    <div class="error-page">
      <div class="code" aria-hidden="true">
        {status}
      </div>
      <h1>{e.title}</h1>
      {e.body}
      {status >= 500 && requestId ? (
        <p class="muted small">
          Reference for support: <code>{requestId}</code>
        </p>
      ) : null}
      <div class="actions">
        {s ? (
          <a class="btn" href="/tasks">
            Go to tasks
          </a>
        ) : (
          <a class="btn" href="/signin">
            Sign in
          </a>
        )}
      </div>
    </div>
  );
  const page = s ? (
    <Layout title={e.title} session={s} nav={'none' satisfies NavKey}>
      {content}
    </Layout>
  ) : (
    <BareLayout title={e.title}>
      <main id="main">{content}</main>
    </BareLayout>
  );
  return render(c, page, status, e.headers);
}

export const notFoundPage = (c: Ctx, what = 'That page does not exist') =>
  errorPage(c, 404, {
    title: what,
    body: (
      <p>It may have been deleted, or the link is wrong. Everything you can see is in this workspace — start from the task list or search for it.</p>
    ),
  });

/** Parse a positive integer path/query parameter (task numbers, customer ids); null when it is not one. */
export function positiveInt(s: string | undefined): number | null {
  if (!s || !/^\d{1,9}$/.test(s)) return null;
  const n = Number(s);
  return n > 0 ? n : null;
}

export function clientIp(c: Ctx, trustedProxies: number): string {
  const req = c.env?.incoming;
  return req ? clientAddress(req, trustedProxies) : 'unknown';
}

/** 413, and the connection is closed: the rest of the body was never read, so the socket cannot be reused. */
export const tooLargePage = (c: Ctx) =>
  errorPage(c, 413, {
    headers: { connection: 'close' },
    title: 'That form was too large',
    body: <p>Shorten the text (a description can be up to 20,000 characters, a comment up to 5,000) and send it again.</p>,
  });

export function domainErrorPage(c: Ctx, err: DomainError): Promise<Response> {
  if (err.code === 'not_found') return notFoundPage(c, 'Not found in this workspace');
  if (err.code === 'forbidden') return errorPage(c, 403, { title: 'Not allowed', body: <p>{err.message}</p> });
  return errorPage(c, err.code === 'conflict' ? 409 : 400, {
    title: 'That did not work',
    body: <p>{err.message}. Go back, correct it and try again.</p>,
  });
}

export const internalErrorPage = (c: Ctx) =>
  errorPage(c, 500, {
    title: 'Something went wrong on our side',
    body: <p>The error has been logged. Try again in a moment; if it keeps happening, tell your admin and include the reference below.</p>,
  });

/** "that customer is not…" → "That customer is not…": domain messages start lower-case, pages show sentences. */
export const capitalize = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

/**
 * A keyset page for the link's cursor — or, when the cursor is not one this server could have written (edited, or
 * from before a change), the first page, with `stale` set so the page can say so.
 */
export async function pageOrFirst<T>(
  cursor: string | undefined,
  load: (cursor: string | undefined) => Promise<T>,
): Promise<{ page: T; stale: boolean }> {
  if (!cursor) return { page: await load(undefined), stale: false };
  try {
    return { page: await load(cursor), stale: false };
  } catch (err) {
    if (!(err instanceof DomainError) || err.code !== 'invalid') throw err;
    return { page: await load(undefined), stale: true };
  }
}
