import { z } from 'zod';
import { TOOL_CATALOG, type ToolName } from '../../domain/catalog.ts';
import { SERVER_ONLY_BOUNDS, type ToolDef } from '../tool.ts';
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

/** Keywords that constrain only values of one JSON type (the rest of that type's values pass them untouched). */
const TYPE_KEYWORDS: Record<string, readonly string[]> = {
  null: [],
  boolean: [],
  integer: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  string: ['minLength', 'maxLength', 'pattern', 'format'],
  array: ['items', 'minItems', 'maxItems', 'uniqueItems'],
  object: ['properties', 'required', 'additionalProperties', 'propertyNames', 'minProperties', 'maxProperties'],
};

/**
 * `anyOf` of branches that each take one distinct type and only keywords of that type — zod's `.nullable()` of an
 * object (`[{type:"object",…},{type:"null"}]`) and the task number's integer-or-string — as one schema with a type
 * list: `{type:["object","null"],…}`. Exactly the same values pass (a keyword of one type ignores values of the
 * others), in fewer bytes. Anything else (an enum, a description or a shared keyword in a branch) is left as it is.
 */
function mergeTypeUnion(branches: unknown[]): Record<string, unknown> | null {
  const merged: Record<string, unknown> = {};
  const types: string[] = [];
  for (const b of branches) {
    if (!b || typeof b !== 'object' || Array.isArray(b)) return null;
    const { type, ...rest } = b as Record<string, unknown>;
    if (typeof type !== 'string' || !(type in TYPE_KEYWORDS) || types.includes(type)) return null;
    for (const [k, v] of Object.entries(rest)) {
      if (!TYPE_KEYWORDS[type]!.includes(k) || k in merged) return null;
      merged[k] = v;
    }
    types.push(type);
  }
  return { type: types, ...merged };
}

/**
 * Drop what costs an assistant context and says nothing: z.int()'s ±2^53 bounds, output objects'
 * additionalProperties:false (extra fields are never sent anyway), output field descriptions, a record's
 * `propertyNames:{type:"string"}` (every JSON key is a string) and an output enum's `type` (the enum says it); and
 * write type unions as type lists (mergeTypeUnion).
 */
function compact(node: unknown, io: 'input' | 'output'): unknown {
  if (Array.isArray(node)) return node.map((n) => compact(n, io));
  if (!node || typeof node !== 'object') return node;
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if ((k === 'minimum' && v === Number.MIN_SAFE_INTEGER) || (k === 'maximum' && v === Number.MAX_SAFE_INTEGER)) continue;
    if (k === 'additionalProperties' && v === false) continue;
    // Output fields are explained by the tool description and the text rendering; keep descriptions for inputs.
    if (io === 'output' && k === 'description' && typeof v === 'string') continue;
    if (k === 'propertyNames' && JSON.stringify(v) === '{"type":"string"}') continue;
    // Inputs keep `type` beside `enum`: some assistants' function-calling schemas want it.
    if (io === 'output' && k === 'type' && typeof v === 'string' && Array.isArray(src.enum)) continue;
    if (k === 'anyOf' && Array.isArray(v)) {
      const merged = mergeTypeUnion(v.map((b) => compact(b, io)));
      if (merged && Object.keys(merged).every((m) => !(m in src))) {
        Object.assign(out, merged);
        continue;
      }
    }
    out[k] = compact(v, io);
  }
  return io === 'output' ? allRequiredAsCount(out) : out;
}

/**
 * An output object always carries every field it lists (nullable ones as null), so its `required` names them all.
 * `minProperties: <that many>` says the same in a few bytes where the list is longer: the server sends no fields
 * beyond the listed ones, so an object with fewer of them than listed is missing one and fails. (Only a result that
 * both dropped a field and added an unlisted one would slip through; zod's types keep the server from building it.)
 */
function allRequiredAsCount(node: Record<string, unknown>): Record<string, unknown> {
  const { required, properties } = node;
  if (!Array.isArray(required) || !properties || typeof properties !== 'object') return node;
  const names = Object.keys(properties);
  if (required.length !== names.length || !names.every((n) => required.includes(n))) return node;
  const { required: _all, ...rest } = node;
  const counted = { ...rest, minProperties: names.length };
  return JSON.stringify(counted).length < JSON.stringify(node).length ? counted : node;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-7',
    io,
    unrepresentable: 'any',
    override: (ctx) => {
      if (io === 'input' && SERVER_ONLY_BOUNDS.has(ctx.zodSchema))
        for (const k of ['minLength', 'maxLength', 'minimum', 'maximum']) delete ctx.jsonSchema[k];
    },
  }) as Record<string, unknown>;
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
