/**
 * What an assistant can be allowed to do: every MCP tool, once. The policy (which tools a credential gets), the
 * settings page (the checkboxes and their help) and the MCP layer (one implementation per entry, src/mcp/tools/) all
 * read this list; a test checks that the MCP tool catalogue implements exactly these, in this order.
 * `access: 'comment'` is the one tool that writes: it needs the workspace's and the credential's permission for
 * customer comments, and is never on a credential's plain tool list.
 */
export const TOOL_CATALOG = [
  { name: 'workspaceSummary', access: 'read', summary: 'Counts by status and priority, overdue work, latest tasks' },
  { name: 'listWorkspaceTasks', access: 'read', summary: 'Browse tasks by last update, with filters' },
  { name: 'searchWorkspaceTasks', access: 'read', summary: 'Find a caller’s task by name, phone, email, number or words' },
  { name: 'getTaskDetails', access: 'read', summary: 'One task with its customer and assignee' },
  { name: 'listTaskComments', access: 'read', summary: 'Read a task’s comments' },
  { name: 'addCustomerComment', access: 'comment', summary: 'Add a comment for a caller the server has verified' },
] as const;

export type ToolName = (typeof TOOL_CATALOG)[number]['name'];
type ReadToolName = Extract<(typeof TOOL_CATALOG)[number], { access: 'read' }>['name'];

export const ALL_TOOLS: readonly ToolName[] = TOOL_CATALOG.map((t) => t.name);
export const READ_TOOLS: readonly ReadToolName[] = TOOL_CATALOG.filter(
  (t): t is Extract<(typeof TOOL_CATALOG)[number], { access: 'read' }> => t.access === 'read',
).map((t) => t.name);
export const COMMENT_TOOL: ToolName = 'addCustomerComment';

const SUMMARIES = new Map<string, string>(TOOL_CATALOG.map((t) => [t.name, t.summary]));
/** A tool's one-line help for people (the LLM-facing description lives with its implementation). */
export const toolSummary = (name: ToolName): string => SUMMARIES.get(name)!;

export function isToolName(s: string): s is ToolName {
  return SUMMARIES.has(s);
}
