/**
 * The person-facing side of the authorization server: /oauth/authorize checks what the assistant asks for, has the
 * staff member sign in, and shows the consent page; the page's answer issues a one-time code (or access_denied) and
 * sends the browser back to the assistant. Until the client and its redirect URI are known good, a problem is shown
 * here and never sent anywhere (no open redirect); after that, problems go back to the assistant as OAuth errors.
 */
import { normalizeCredentialRequest } from '../../../domain/policy.ts';
import type { Session } from '../../../domain/sessions.ts';
import { type OAuthClient, redirectMatches, resolveClient } from '../../../domain/oauth/clients.ts';
import { OAuthError } from '../../../domain/oauth/errors.ts';
import {
  approveAuthorization,
  peekAuthorizationRequest,
  recordRefusal,
  saveAuthorizationRequest,
  takeAuthorizationRequest,
  type PendingAuthorization,
} from '../../../domain/oauth/grants.ts';
import { workspaceOfResource } from '../../../domain/oauth/urls.ts';
import { requireWorkspace } from '../../../domain/workspaces.ts';
import { Form, capitalize, errorPage, redirectToSignin, render, type Ctx, type Deps } from '../../kit.tsx';
import { isAdmin } from '../../ui/ui.tsx';
import { ConsentPage, DEFAULT_CONSENT_POLICY, type ConsentView } from './ConsentPage.tsx';

const CHALLENGE_RE = /^[A-Za-z0-9_-]{43}$/;

/** The CSP source a form on the consent page may lead to: the redirect URI's origin, or an app's scheme. */
function formActionFor(redirectUri: string): string {
  const u = new URL(redirectUri);
  return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : u.protocol;
}

export function registerOAuthRoutes({ app, ctx }: Deps) {
  const { db, config } = ctx;
  const clientOptions = { allowLoopback: config.oauthCimdAllowLoopback };

  /** 303 back to the assistant with an OAuth answer: state and the issuer (RFC 9207) always. */
  const answer = (c: Ctx, redirectUri: string, state: string | null, params: Record<string, string>) => {
    const u = new URL(redirectUri);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    if (state !== null) u.searchParams.set('state', state);
    u.searchParams.set('iss', config.issuer);
    return c.redirect(u.href, 303);
  };

  const problem = (c: Ctx, status: number, title: string, text: string, error?: string) =>
    errorPage(c, status, {
      title,
      body: (
        <>
          <p>{text}</p>
          {error ? (
            <p class="muted small">
              OAuth error: <code>{error}</code>
            </p>
          ) : null}
        </>
      ),
    });

  const consent = (c: Ctx, view: ConsentView, status = 200) => {
    c.set('formAction', formActionFor(view.redirectUri));
    return render(c, <ConsentPage {...view} />, status);
  };

  /** Why this signed-in person cannot answer for this workspace, as a page (and, for a member, an audit row). */
  const refusal = async (c: Ctx, s: Session): Promise<Response | null> => {
    const ws = await requireWorkspace(db, s.workspace.id);
    if (!isAdmin(s)) {
      await recordRefusal(db, ws.id, s.user.id);
      return problem(
        c,
        403,
        'Only owners and admins can connect an assistant',
        `Connecting an AI assistant to ${ws.name} gives it access to the workspace's tasks. Ask an owner or admin to connect it, or to make you an admin.`,
        'access_denied',
      );
    }
    if (!ws.mcpEnabled)
      return problem(
        c,
        403,
        'AI assistant access is turned off',
        `MCP access is off for ${ws.name}. An owner or admin can turn it on in Settings → AI assistants; then connect the assistant again.`,
      );
    return null;
  };

  app.get('/oauth/authorize', async (c) => {
    const url = new URL(c.req.url);
    const q = url.searchParams;
    const repeated = [...new Set([...q.keys()].filter((k) => q.getAll(k).length > 1))];
    const one = (k: string) => q.get(k) ?? undefined;
    let client: OAuthClient;
    try {
      if (repeated.length) throw new OAuthError('invalid_request', `The parameter ${repeated[0]!.slice(0, 40)} appears more than once.`, 400, false);
      client = await resolveClient(db, one('client_id') ?? '', clientOptions);
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      return problem(c, 400, 'This assistant could not be identified', err.message, err.error);
    }
    const asked = one('redirect_uri');
    const redirectUri = asked ?? (client.redirectUris.length === 1 ? client.redirectUris[0]! : undefined);
    if (!redirectUri || !redirectMatches(client.redirectUris, redirectUri))
      return problem(
        c,
        400,
        'This request cannot be answered safely',
        redirectUri
          ? `The assistant asked to be answered at ${redirectUri.slice(0, 200)}, which is not one of ${client.name}'s registered addresses. Nothing was sent there. Remove the connector in your assistant and add it again.`
          : 'The assistant did not say where to send the answer (redirect_uri). Remove the connector in your assistant and add it again.',
        'invalid_request',
      );
    const state = one('state') ?? null;
    const fail = (error: string, description: string) => answer(c, redirectUri, state, { error, error_description: description });
    if (one('response_type') !== 'code') return fail('unsupported_response_type', 'response_type must be "code".');
    if (one('code_challenge_method') !== 'S256' || !one('code_challenge'))
      return fail('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256.');
    if (!CHALLENGE_RE.test(one('code_challenge')!)) return fail('invalid_request', 'code_challenge must be 43 base64url characters (S256).');
    const resource = one('resource');
    const resourceWorkspace = resource === undefined ? null : workspaceOfResource(config.publicUrl, resource);
    if (resource !== undefined && !resourceWorkspace)
      return fail('invalid_target', 'resource is not a Taskline MCP endpoint of this server. Use the endpoint URL you were given.');
    if (one('prompt')?.split(' ').includes('none')) return fail('consent_required', 'A staff member must approve this assistant.');

    const s = c.get('session');
    if (!s) return redirectToSignin(c);
    if (resourceWorkspace && resourceWorkspace !== s.workspace.id)
      return problem(
        c,
        403,
        'You are signed in to another workspace',
        `The assistant asks to connect to a different workspace than ${s.workspace.name}, where you are signed in. Sign out, then connect the assistant again and sign in with your account in that workspace.`,
      );
    const refused = await refusal(c, s);
    if (refused) return refused;
    const ws = await requireWorkspace(db, s.workspace.id);
    const requestId = await saveAuthorizationRequest(db, ws.id, s.user.id, client, { redirectUri, state, codeChallenge: one('code_challenge')! });
    return consent(c, {
      s,
      ws,
      requestId,
      clientName: client.name,
      documentHost: client.registered ? null : client.host,
      redirectUri,
      policy: DEFAULT_CONSENT_POLICY,
    });
  });

  app.post('/oauth/authorize', async (c) => {
    const s = c.get('session');
    if (!s) return redirectToSignin(c);
    const form = await Form.of(c);
    const requestId = form.str('request');
    const pending = await peekAuthorizationRequest(db, s.workspace.id, s.user.id, requestId);
    if (!pending)
      return problem(
        c,
        400,
        'This request has expired',
        'It was answered already, or it waited more than 10 minutes. Go back to your assistant and connect again.',
      );
    const refused = await refusal(c, s);
    if (refused) {
      await takeAuthorizationRequest(db, s.workspace.id, s.user.id, requestId);
      return refused;
    }
    const ws = await requireWorkspace(db, s.workspace.id);
    if (form.str('decision') !== 'allow') {
      if (!(await takeAuthorizationRequest(db, ws.id, s.user.id, requestId))) return c.redirect('/settings/mcp', 303);
      await recordRefusal(db, ws.id, s.user.id);
      return answer(c, pending.redirectUri, pending.state, { error: 'access_denied', error_description: 'The staff member denied access.' });
    }
    const policy = {
      tools: form.all('tools'),
      allowComments: form.bool('allowCustomerComments'),
      factors: form.str('verificationFactors'),
      reveal: form.bool('revealCustomerContact'),
    };
    const checked = normalizeCredentialRequest(ws, {
      tools: policy.tools,
      allowCustomerComments: policy.allowComments,
      verificationFactors: policy.factors ? Number(policy.factors) : null,
      revealCustomerContact: policy.reveal,
    });
    const error =
      !policy.tools.length && !policy.allowComments ? 'Choose at least one tool — an assistant without tools can do nothing.' : checked.problems[0];
    if (error) return consentAgain(c, s, ws, requestId, pending, policy, capitalize(error) + (error.endsWith('.') ? '' : '.'));
    const taken = await takeAuthorizationRequest(db, ws.id, s.user.id, requestId);
    if (!taken) return problem(c, 400, 'This request has expired', 'It was answered already. Go back to your assistant and connect again.');
    const { code } = await approveAuthorization(db, ws, taken, s.user.id, {
      tools: checked.tools,
      allowCustomerComments: checked.allowCustomerComments,
      verificationFactors: checked.verificationFactors,
      revealCustomerContact: policy.reveal,
    });
    return answer(c, taken.redirectUri, taken.state, { code });
  });

  const consentAgain = (
    c: Ctx,
    s: Session,
    ws: ConsentView['ws'],
    requestId: string,
    pending: PendingAuthorization,
    policy: ConsentView['policy'],
    error: string,
  ) =>
    consent(
      c,
      {
        s,
        ws,
        requestId,
        clientName: pending.clientName,
        documentHost: URL.canParse(pending.clientId) ? new URL(pending.clientId).host : null,
        redirectUri: pending.redirectUri,
        policy,
        error,
      },
      400,
    );
}
