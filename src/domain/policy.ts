/**
 * The one policy module, used by MCP, the web UI and the CLI.
 * Workspace settings are the ceiling; a credential narrows them.
 */
import { ALL_TOOLS, COMMENT_TOOL, isToolName, READ_TOOLS, type ToolName } from './catalog.ts';

export { ALL_TOOLS, isToolName, READ_TOOLS, type ToolName };

/**
 * What a caller can give to prove they are a task's customer. The server compares each one with the task's customer
 * (verification.ts); these are only their names.
 */
export type FactorType = 'taskNumber' | 'customerName' | 'phone';
export const FACTOR_TYPES: readonly FactorType[] = ['taskNumber', 'customerName', 'phone'];

/**
 * Which factors a verification level requires (workspace `minVerificationFactors`, a credential's
 * `verificationFactors`). The phone number on file is always one: it is the only factor an assistant cannot read
 * for itself (masked as •••-•••-4534; search will not complete it), while the customer's name and the task numbers
 * come back from any search — an over-helpful assistant would fill them in, and a verification it can pass from its
 * own search protects nothing. Then the name (every caller knows it), then the task number (callers rarely do).
 * Supplying a factor that is not required still counts against the caller if it is wrong.
 */
export const REQUIRED_FACTORS: Readonly<Record<1 | 2 | 3, readonly FactorType[]>> = {
  1: ['phone'],
  2: ['phone', 'customerName'],
  3: ['phone', 'customerName', 'taskNumber'],
};

/** The factors of a level 1–3 (anything else is clamped into that range). */
export function requiredFactorTypes(level: number): readonly FactorType[] {
  return REQUIRED_FACTORS[Math.min(3, Math.max(1, Math.trunc(level) || 1)) as 1 | 2 | 3];
}

/** How people read a level: "the phone number on file and the full name". */
export const FACTOR_WORDS: Readonly<Record<FactorType, string>> = {
  phone: 'the phone number on file',
  customerName: 'the full name',
  taskNumber: 'the task number',
};
export function describeLevel(level: number): string {
  const words = requiredFactorTypes(level).map((t) => FACTOR_WORDS[t]);
  return words.length === 1 ? words[0]! : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
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
  /** Verification level (1–3): the workspace minimum or the credential's higher one. */
  verificationLevel: number;
  /** The factors a caller must give (and match) at that level; see REQUIRED_FACTORS. */
  requiredFactors: readonly FactorType[];
  revealContact: boolean;
}

export type CredentialState = 'active' | 'revoked' | 'expired';

export function credentialState(c: Pick<CredentialSettings, 'expiresAt' | 'revokedAt'>, now = new Date()): CredentialState {
  if (c.revokedAt) return 'revoked';
  if (c.expiresAt && c.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/**
 * Workspace ceiling ∩ credential settings. A disabled workspace yields no tools at all. A credential that reveals
 * contact details never adds customer comments: it can read the phone number that verification relies on.
 */
export function effectivePolicy(ws: WorkspaceSettings, cred: CredentialSettings): EffectivePolicy {
  const canComment = ws.mcpEnabled && ws.allowCustomerComments && cred.allowCustomerComments && !cred.revealCustomerContact;
  const allowed = new Set(cred.tools);
  const tools = ws.mcpEnabled ? READ_TOOLS.filter((t) => allowed.has(t)) : [];
  const verificationLevel = Math.min(3, Math.max(ws.minVerificationFactors, cred.verificationFactors ?? ws.minVerificationFactors));
  return {
    tools: canComment ? [...tools, COMMENT_TOOL] : [...tools],
    canComment,
    verificationLevel,
    requiredFactors: requiredFactorTypes(verificationLevel),
    revealContact: cred.revealCustomerContact,
  };
}

export const REVEAL_AND_COMMENT =
  'a credential cannot both reveal contact details and add customer comments: callers are verified by the phone number on file, which such a credential can read — use two credentials (one for staff that reveals contact details, one for callers that may comment)';

/**
 * Normalize what an admin asked for when creating a credential: default tools are the five read tools;
 * naming addCustomerComment in the list means asking for comments. Returns problems as messages.
 */
export function normalizeCredentialRequest(
  ws: WorkspaceSettings,
  req: { tools?: readonly string[]; allowCustomerComments?: boolean; verificationFactors?: number | null; revealCustomerContact?: boolean },
): { tools: string[]; allowCustomerComments: boolean; verificationFactors: number | null; problems: string[] } {
  const problems: string[] = [];
  const requested = req.tools ?? [...READ_TOOLS];
  const unknown = requested.filter((t) => !isToolName(t));
  if (unknown.length) problems.push(`unknown tool(s): ${unknown.join(', ')} — valid tools are ${ALL_TOOLS.join(', ')}`);
  const allowCustomerComments = Boolean(req.allowCustomerComments) || requested.includes(COMMENT_TOOL);
  const tools = READ_TOOLS.filter((t) => requested.includes(t));
  const f = req.verificationFactors ?? null;
  if (f !== null && (!Number.isInteger(f) || f < 1 || f > 3)) problems.push('verification factors must be 1, 2 or 3');
  else if (f !== null && f < ws.minVerificationFactors)
    problems.push(`verification factors (${f}) cannot be below the workspace minimum (${ws.minVerificationFactors})`);
  if (allowCustomerComments && req.revealCustomerContact) problems.push(REVEAL_AND_COMMENT);
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
