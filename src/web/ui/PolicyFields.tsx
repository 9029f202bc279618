/** A credential's policy, shown (ToolsCell) and chosen (PolicyFields): on the settings pages and the OAuth consent page. */
import type { Credential } from '../../domain/credentials.ts';
import { toolSummary } from '../../domain/catalog.ts';
import { READ_TOOLS } from '../../domain/policy.ts';
import type { Workspace } from '../../domain/workspaces.ts';
import { Badge } from './ui.tsx';

/** Verification levels in a select (describeLevel says the same in a sentence). */
export const LEVEL_LABELS: Readonly<Record<number, string>> = {
  1: 'Phone number on file',
  2: 'Phone number + full name',
  3: 'Phone number + full name + task number',
};

export function ToolsCell(p: { c: Credential; ws: Workspace }) {
  const read = READ_TOOLS.filter((t) => p.c.tools.includes(t));
  return (
    <div class="tool-list">
      {read.length === READ_TOOLS.length ? <Badge kind="tool">all 5 read tools</Badge> : read.map((t) => <Badge kind="tool">{t}</Badge>)}
      {read.length === 0 ? <span class="muted">no read tools</span> : null}
      {p.c.allowCustomerComments ? (
        <Badge kind="tool" label={p.ws.allowCustomerComments ? undefined : 'Off until the workspace allows customer comments'}>
          addCustomerComment{p.ws.allowCustomerComments ? '' : ' (workspace off)'}
        </Badge>
      ) : null}
    </div>
  );
}
/** Tool checkboxes, comments, factors and contact switches; shared by create and edit. */
export function PolicyFields(p: { ws: Workspace; tools: readonly string[]; allowComments: boolean; factors: string; reveal: boolean; idp: string }) {
  return (
    <>
      <fieldset>
        <legend>Tools</legend>
        {READ_TOOLS.map((t) => (
          <label class="check">
            <input type="checkbox" name="tools" value={t} checked={p.tools.includes(t)} />
            <span>
              <code>{t}</code>
              <small>{toolSummary(t)}</small>
            </span>
          </label>
        ))}
        <label class="check">
          <input type="checkbox" name="allowCustomerComments" checked={p.allowComments} />
          <span>
            <code>addCustomerComment</code> — allow customer comments
            <small>
              {toolSummary('addCustomerComment')}.{' '}
              {p.ws.allowCustomerComments ? '' : 'Has no effect until the workspace policy allows customer comments.'}
            </small>
          </span>
        </label>
      </fieldset>
      <div class="form-row">
        <div class="field">
          <label for={`${p.idp}-factors`}>Caller verification</label>
          <select id={`${p.idp}-factors`} name="verificationFactors">
            <option value="" selected={p.factors === ''}>
              Workspace policy ({LEVEL_LABELS[p.ws.minVerificationFactors]?.toLowerCase()})
            </option>
            {[1, 2, 3]
              .filter((n) => n >= p.ws.minVerificationFactors)
              .map((n) => (
                <option value={String(n)} selected={p.factors === String(n)}>
                  {LEVEL_LABELS[n]}
                </option>
              ))}
          </select>
          <div class="hint">For customer comments; can be stricter than the workspace, not looser.</div>
        </div>
      </div>
      <label class="check">
        <input type="checkbox" name="revealCustomerContact" checked={p.reveal} />
        <span>
          Reveal customer phone and email
          <small>
            Off: the assistant sees •••-•••-4534 and r•••@example.com, and finds a customer by phone or email only with the whole number or address.
            On is for staff assistants: such a credential cannot add customer comments, because it can read the phone number callers are verified
            with.
          </small>
        </span>
      </label>
    </>
  );
}
