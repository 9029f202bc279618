/**
 * The one policy module (DESIGN §3), used by MCP, the web UI and the CLI.
 * Workspace settings are the ceiling; a credential narrows them.
 */
export const READ_TOOLS = [
  'workspaceSummary',
  'listWorkspaceTasks',
  'searchWorkspaceTasks',
  'getTaskDetails',
  'listTaskComments',
] as const;
export const WRITE_TOOLS = ['addCustomerComment'] as const;
export const ALL_TOOLS = [...READ_TOOLS, ...WRITE_TOOLS] as const;
export type ToolName = (typeof ALL_TOOLS)[number];

export function isToolName(s: string): s is ToolName {
  return (ALL_TOOLS as readonly string[]).includes(s);
}

export interface WorkspaceSettings {
  mcpEnabled: boolean;
  allowCustomerComments: boolean;
  minVerificationFactors: number;
}

export interface CredentialSettings {
  tools: readonly string[];
  allowCustomerComments: boolean;
  verificationFactors: number | null;
  revealCustomerContact: boolean;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface EffectivePolicy {
  /** Tools this credential may see and call, in catalog order. */
  tools: ToolName[];
  canComment: boolean;
  requiredFactors: number;
  revealContact: boolean;
}

export type CredentialState = 'active' | 'revoked' | 'expired';

export function credentialState(c: Pick<CredentialSettings, 'expiresAt' | 'revokedAt'>, now = new Date()): CredentialState {
  if (c.revokedAt) return 'revoked';
  if (c.expiresAt && c.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/** Workspace ceiling ∩ credential settings. A disabled workspace yields no tools at all. */
export function effectivePolicy(ws: WorkspaceSettings, cred: CredentialSettings): EffectivePolicy {
  const canComment = ws.mcpEnabled && ws.allowCustomerComments && cred.allowCustomerComments;
  const allowed = new Set(cred.tools);
  const tools = ws.mcpEnabled ? READ_TOOLS.filter((t) => allowed.has(t)) : [];
  return {
    tools: canComment ? [...tools, 'addCustomerComment'] : [...tools],
    canComment,
    requiredFactors: Math.min(3, Math.max(ws.minVerificationFactors, cred.verificationFactors ?? ws.minVerificationFactors)),
    revealContact: cred.revealCustomerContact,
  };
}

/**
 * Normalize what an admin asked for when creating a credential: default tools are the five read tools;
 * naming addCustomerComment in the list means asking for comments. Returns problems as messages.
 */
export function normalizeCredentialRequest(
  ws: WorkspaceSettings,
  req: { tools?: readonly string[]; allowCustomerComments?: boolean; verificationFactors?: number | null },
): { tools: string[]; allowCustomerComments: boolean; verificationFactors: number | null; problems: string[] } {
  const problems: string[] = [];
  const requested = req.tools ?? [...READ_TOOLS];
  const unknown = requested.filter((t) => !isToolName(t));
  if (unknown.length) problems.push(`unknown tool(s): ${unknown.join(', ')} — valid tools are ${ALL_TOOLS.join(', ')}`);
  const allowCustomerComments = Boolean(req.allowCustomerComments) || requested.includes('addCustomerComment');
  const tools = READ_TOOLS.filter((t) => requested.includes(t));
  const f = req.verificationFactors ?? null;
  if (f !== null && (!Number.isInteger(f) || f < 1 || f > 3)) problems.push('verification factors must be 1, 2 or 3');
  else if (f !== null && f < ws.minVerificationFactors)
    problems.push(`verification factors (${f}) cannot be below the workspace minimum (${ws.minVerificationFactors})`);
  return { tools, allowCustomerComments, verificationFactors: f, problems };
}

/** Masking of customer contact data unless the credential may reveal it. */
export function maskPhone(phone: string | null): string | null {
  if (!phone) return phone;
  const d = phone.replace(/\D+/g, '');
  return `•••-•••-${d.slice(-4).padStart(4, '•')}`;
}

export function maskEmail(email: string | null): string | null {
  if (!email) return email;
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${email[0]}•••${email.slice(at)}`;
}
