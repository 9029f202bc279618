/** The few product calls the harness needs: mint a bench credential, build a ToolContext for in-process tool calls. */
import type { Db } from '../../src/platform/db/client.ts';
import { authenticate, createCredential } from '../../src/domain/credentials.ts';
import { effectivePolicy } from '../../src/domain/policy.ts';
import type { ToolContext } from '../../src/mcp/tool.ts';

export async function mintBenchToken(db: Db, workspaceId: string): Promise<string> {
  const { token } = await createCredential(db, workspaceId, { name: `bench ${new Date().toISOString()}` });
  return token;
}

/** What the MCP handler binds per request, built once for in-process tool calls (B2). */
export async function benchToolContext(db: Db, workspaceId: string, token: string): Promise<ToolContext> {
  const auth = await authenticate(db, workspaceId, token);
  if (!auth.ok) throw new Error(`bench credential rejected: ${auth.reason}`);
  return {
    db,
    workspace: auth.workspace,
    credential: auth.credential,
    policy: effectivePolicy(auth.workspace, auth.credential),
    requestId: 'bench',
    limits: { contactMissesPerHour: 30 },
  };
}
