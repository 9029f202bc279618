import type { Session } from '../../../domain/sessions.ts';
import { OUTCOMES, type AuditRow, type Outcome } from '../../../domain/audit.ts';
import type { Credential } from '../../../domain/credentials.ts';
import { ALL_TOOLS } from '../../../domain/policy.ts';
import { parseDay, type Ctx } from '../../kit.tsx';
import { Empty, Layout, Notice, Pager, qs } from '../../ui/ui.tsx';
import { capitalize } from '../../kit.tsx';
import { AuditTable, Head, OUTCOME_LABELS, Tabs } from './parts.tsx';

export interface AuditQuery {
  category: string;
  credential: string;
  tool: string;
  outcome: string;
  from: string;
  to: string;
}

export function AuditPage(p: {
  s: Session;
  q: AuditQuery;
  creds: Credential[];
  events: AuditRow[];
  next: string | null;
  first: boolean;
  error?: string;
}) {
  const filtered = Object.values(p.q).some(Boolean);
  return (
    <Layout title="Audit log" session={p.s} nav="settings">
      <Head sub="Every MCP tool call, every change to assistant access, and every account event of the team." />
      <Tabs current="audit" />
      {p.error ? <Notice kind="error">{p.error}</Notice> : null}
      <form method="get" action="/settings/mcp/audit" class="panel" aria-label="Filter the audit log">
        <div class="form-row">
          <div class="field">
            <label for="a-category">Events</label>
            <select id="a-category" name="category">
              <option value="">All events</option>
              <option value="account" selected={p.q.category === 'account'}>
                Account events (team and passwords)
              </option>
            </select>
          </div>
          <div class="field">
            <label for="a-cred">Credential</label>
            <select id="a-cred" name="credential">
              <option value="">All credentials</option>
              {p.creds.map((c) => (
                <option value={c.id} selected={p.q.credential === c.id}>
                  {c.name}
                  {c.state === 'active' ? '' : ` (${c.state})`}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="a-tool">Tool</label>
            <select id="a-tool" name="tool">
              <option value="">All tools</option>
              {ALL_TOOLS.map((t) => (
                <option value={t} selected={p.q.tool === t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="a-outcome">Outcome</label>
            <select id="a-outcome" name="outcome">
              <option value="">Any outcome</option>
              {OUTCOMES.map((o) => (
                <option value={o} selected={p.q.outcome === o}>
                  {OUTCOME_LABELS[o]}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="a-from">From (UTC)</label>
            <input id="a-from" name="from" type="date" value={p.q.from} />
          </div>
          <div class="field">
            <label for="a-to">To (UTC, inclusive)</label>
            <input id="a-to" name="to" type="date" value={p.q.to} />
          </div>
        </div>
        <div class="actions">
          <button class="btn btn-primary" type="submit">
            Apply filters
          </button>
          {filtered ? (
            <a class="btn" href="/settings/mcp/audit">
              Clear
            </a>
          ) : null}
          <a class="btn" href={`/settings/mcp/audit.csv${qs({ ...p.q })}`} download>
            Download CSV
          </a>
        </div>
      </form>
      <section class="panel" aria-label="Audit events">
        {p.events.length ? (
          <AuditTable events={p.events} />
        ) : filtered ? (
          <Empty title="No events match these filters">
            <p>
              Widen the date range or <a href="/settings/mcp/audit">clear the filters</a>.
            </p>
          </Empty>
        ) : (
          <Empty title="No activity yet">
            <p>When an assistant calls a tool, or someone changes assistant access, it shows up here.</p>
          </Empty>
        )}
        <Pager
          first={p.first ? null : `/settings/mcp/audit${qs({ ...p.q })}`}
          firstLabel="← Newest"
          next={p.next ? `/settings/mcp/audit${qs({ ...p.q, cursor: p.next })}` : null}
          nextLabel="Older →"
        />
      </section>
    </Layout>
  );
}
/** Audit filters from the query string; unknown values are dropped (and reported). */
export function auditFilters(c: Ctx, creds: Credential[]) {
  const raw: AuditQuery = {
    category: c.req.query('category') ?? '',
    credential: c.req.query('credential') ?? '',
    tool: c.req.query('tool') ?? '',
    outcome: c.req.query('outcome') ?? '',
    from: c.req.query('from') ?? '',
    to: c.req.query('to') ?? '',
  };
  const q: AuditQuery = {
    category: raw.category === 'account' ? 'account' : '',
    credential: creds.some((x) => x.id === raw.credential) ? raw.credential : '',
    tool: (ALL_TOOLS as readonly string[]).includes(raw.tool) ? raw.tool : '',
    outcome: (OUTCOMES as readonly string[]).includes(raw.outcome) ? raw.outcome : '',
    from: parseDay(raw.from) ? raw.from : '',
    to: parseDay(raw.to) ? raw.to : '',
  };
  const problems: string[] = [];
  if (raw.credential && !q.credential) problems.push('that credential is not in this workspace');
  if ((raw.from && !q.from) || (raw.to && !q.to)) problems.push('dates must be real days like 2026-11-22 (years 1–9998)');
  const from = q.from ? parseDay(q.from)! : undefined;
  const to = q.to ? new Date(parseDay(q.to)!.getTime() + 86400_000) : undefined;
  if (from && to && from >= to) problems.push('the “from” date is after the “to” date');
  return {
    q,
    filter: {
      category: q.category === 'account' ? ('account' as const) : undefined,
      credentialId: q.credential || undefined,
      tool: q.tool || undefined,
      outcome: (q.outcome || undefined) as Outcome | undefined,
      from,
      to,
    },
    error: problems.length ? capitalize(problems.join('; ')) + '.' : undefined,
  };
}

/**
 * One CSV cell, always quoted. Spreadsheets run a cell that starts with = + - @ as a formula, and some split a cell
 * again on ; tab or | (locale and import settings): so a formula start at the beginning, or after any separator
 * (with spaces before it), gets a leading apostrophe — the text is kept, never run.
 */
export function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : Array.isArray(v) ? v.join(' ') : String(v);
  const safe = s.replace(/(^|[,;\t|\r\n])(\s*)([=+\-@])/g, "$1$2'$3");
  return `"${safe.replace(/"/g, '""')}"`;
}

export const CSV_MAX_ROWS = 100_000;
