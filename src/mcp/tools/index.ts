import { z } from 'zod';
import { TOOL_CATALOG, type ToolName } from '../../domain/catalog.ts';
import type { ToolDef } from '../tool.ts';
import { workspaceSummary } from './workspaceSummary.ts';
import { listWorkspaceTasks } from './listWorkspaceTasks.ts';
import { searchWorkspaceTasks } from './searchWorkspaceTasks.ts';
import { getTaskDetails } from './getTaskDetails.ts';
import { listTaskComments } from './listTaskComments.ts';
import { addCustomerComment } from './addCustomerComment.ts';

/** One implementation per entry of the domain's tool catalogue (the compiler insists on every one). */
const IMPLEMENTATIONS: Record<ToolName, ToolDef> = {
  workspaceSummary,
  listWorkspaceTasks,
  searchWorkspaceTasks,
  getTaskDetails,
  listTaskComments,
  addCustomerComment,
} as unknown as Record<ToolName, ToolDef>;

/** The tools in catalogue order (the order tools/list shows them). */
export const TOOLS: ToolDef[] = TOOL_CATALOG.map((c) => IMPLEMENTATIONS[c.name]);

export const TOOLS_BY_NAME = new Map<string, ToolDef>(TOOLS.map((t) => [t.name, t]));

/** tools/list entries, built once per process. */
export interface ListedTool {
  name: string;
  title: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  annotations: Record<string, unknown>;
}

/**
 * Drop what costs an assistant context and says nothing: z.int()'s ±2^53 bounds, output objects'
 * additionalProperties:false (extra fields are never sent anyway) and output field descriptions.
 */
function compact(node: unknown, io: 'input' | 'output'): unknown {
  if (Array.isArray(node)) return node.map((n) => compact(n, io));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'minimum' && v === Number.MIN_SAFE_INTEGER) || (k === 'maximum' && v === Number.MAX_SAFE_INTEGER)) continue;
    if (k === 'additionalProperties' && v === false) continue;
    // Output fields are explained by the tool description and the text rendering; keep descriptions for inputs.
    if (io === 'output' && k === 'description' && typeof v === 'string') continue;
    out[k] = compact(v, io);
  }
  return out;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as Record<string, unknown>;
  return compact(rest, io) as Record<string, unknown>;
}

export const LISTED_TOOLS: Map<ToolName, ListedTool> = new Map(
  TOOLS.map((t) => [
    t.name,
    {
      name: t.name,
      title: t.title,
      description: t.description,
      inputSchema: jsonSchema(t.inputSchema, 'input'),
      outputSchema: jsonSchema(t.outputSchema, 'output'),
      annotations: { ...t.annotations },
    },
  ]),
);
