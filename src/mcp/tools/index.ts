import { z } from 'zod';
import type { ToolName } from '../../domain/policy.ts';
import type { ToolDef } from '../tool.ts';
import { workspaceSummary } from './workspaceSummary.ts';
import { listWorkspaceTasks } from './listWorkspaceTasks.ts';
import { searchWorkspaceTasks } from './searchWorkspaceTasks.ts';
import { getTaskDetails } from './getTaskDetails.ts';
import { listTaskComments } from './listTaskComments.ts';
import { addCustomerComment } from './addCustomerComment.ts';

/** The catalog, in the order tools/list shows them. */
export const TOOLS: ToolDef[] = [
  workspaceSummary,
  searchWorkspaceTasks,
  getTaskDetails,
  listTaskComments,
  listWorkspaceTasks,
  addCustomerComment,
] as unknown as ToolDef[];

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

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
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
      annotations: { title: t.title, ...t.annotations },
    },
  ]),
);
