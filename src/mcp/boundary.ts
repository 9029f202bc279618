import { z } from 'zod';
import type { AppContext } from '../platform/context.ts';
import type { AuditWriter, Outcome } from '../domain/audit.ts';
import { DomainError } from '../domain/errors.ts';
import type { ToolName } from '../domain/policy.ts';
import { TOOLS_BY_NAME } from './tools/index.ts';
import { ToolError } from './tool.ts';
import { RpcError, rpcError, type Boundary, type CallContext, type CallTool } from './rpc.ts';
import { listTaskResources, mayReadTasks, readTaskResource, ResourceNotFound } from './resources.ts';

const CallParams = z.object({
  name: z.string().max(200),
  arguments: z.record(z.string(), z.unknown()).optional(),
});

/**
 * tools/call params as CallParams reads them. What every client sends (an object with a name of at most 200
 * characters and, if any, an arguments object) is checked here without zod; anything else goes through the schema,
 * whose issues make the -32602 message.
 */
function callParams(params: unknown): { name: string; arguments?: Record<string, unknown> } {
  if (typeof params === 'object' && params !== null && !Array.isArray(params)) {
    const { name, arguments: args } = params as Record<string, unknown>;
    if (typeof name === 'string' && name.length <= 200 && (args === undefined || (typeof args === 'object' && args !== null && !Array.isArray(args))))
      return { name, arguments: args as Record<string, unknown> | undefined };
  }
  const parsed = CallParams.safeParse(params);
  if (!parsed.success) throw rpcError(-32602, `Invalid tools/call params: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Strings as PostgreSQL can store them: lone surrogates become U+FFFD and NUL is dropped (text columns reject
 * 0x00, and PGlite mis-encodes lone surrogates). Tool arguments are at most a few levels deep; deeper values are
 * left alone for the schema to reject.
 */
function storable(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return v.replace(LONE_SURROGATE, '\ufffd').replaceAll('\u0000', '');
  if (depth > 4 || !v || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = v.map((x) => storable(x, depth + 1));
    return out.every((x, i) => x === v[i]) ? v : out;
  }
  // The same object back when nothing in it changes (the usual case: no copy per call).
  const entries = Object.entries(v);
  let changed = false;
  for (const e of entries) {
    const x = storable(e[1], depth + 1);
    if (x !== e[1]) {
      e[1] = x;
      changed = true;
    }
  }
  return changed ? Object.fromEntries(entries) : v;
}

function describeIssues(err: z.ZodError): string {
  return err.issues
    .map((i) => `${i.path.length ? i.path.join('.') : 'arguments'}: ${i.message}`)
    .slice(0, 10)
    .join('; ');
}

/**
 * The tool name as the audit log keeps it: a catalogue name as is; anything else (the caller made it up) as
 * "unknown tool: " and at most 64 of its characters, each one not a letter, digit, _ . or - replaced by _ — a
 * made-up name must not carry a formula, markup or control characters into the audit page or its CSV export.
 */
export function auditedToolName(name: string): string {
  if (TOOLS_BY_NAME.has(name)) return name;
  const safe = [...name]
    .slice(0, 64)
    .map((ch) => (/^[A-Za-z0-9_.-]$/.test(ch) ? ch : '_'))
    .join('');
  return safe ? `unknown tool: ${safe}` : 'unknown tool';
}

/** What one tools/call did, for its metrics and its audit row. */
interface CallRecord {
  name: string;
  allowed: boolean;
  started: number;
  outcome: Outcome;
  taskId: number | null;
  factorTypes: string[] | null;
}

function finish(app: AppContext, audit: AuditWriter, call: CallContext, r: CallRecord, action = 'tool_call'): Promise<void> {
  const ms = performance.now() - r.started;
  const label = r.allowed ? r.name : 'unknown';
  app.metrics.toolCalls.inc({ tool: label, outcome: r.outcome });
  app.metrics.toolDuration.observe({ tool: label }, ms / 1000);
  if (r.name === 'addCustomerComment' && r.allowed && (r.outcome === 'ok' || r.outcome === 'verification_failed' || r.outcome === 'locked'))
    app.metrics.verifications.inc({ outcome: r.outcome === 'ok' ? 'passed' : r.outcome === 'locked' ? 'locked' : 'failed' });
  return audit.append(call.workspace.id, {
    action,
    outcome: r.outcome,
    credentialId: call.credential.id,
    tool: action === 'tool_call' ? auditedToolName(r.name) : null,
    latencyMs: ms,
    taskId: r.taskId,
    factorTypes: r.factorTypes,
  });
}

/**
 * The one error boundary of tools/call: policy check, argument validation, the tool, metrics and the
 * audit row. Every call is audited — and the row committed — before it is answered. A caller's mistake (bad
 * arguments, no such task, failed verification) is an `isError` result that says what to do next; params that are
 * not a tools/call at all, and tools this credential may not use (or that do not exist: same answer), are JSON-RPC
 * -32602 errors (thrown as rpcError). The HTTP handler calls this directly for every tools/call message: the SDK's
 * protocol layer adds nothing a stateless tool call needs and cost about a quarter of the server CPU per call
 * (bench B1).
 */
export function createToolCaller(app: AppContext, audit: AuditWriter): CallTool {
  return async (call, params) => {
    const { name, arguments: given } = callParams(params);
    const tool = TOOLS_BY_NAME.get(name);
    const allowed = tool !== undefined && call.policy.tools.includes(name as ToolName);
    const r: CallRecord = { name, allowed, started: performance.now(), outcome: 'ok', taskId: null, factorTypes: null };
    if (!tool || !allowed) {
      r.outcome = 'denied';
      await finish(app, audit, call, r);
      // Same answer for a tool that does not exist and one this credential may not use.
      throw rpcError(-32602, `Unknown tool: ${name}. Call tools/list to see the tools available to this credential.`);
    }
    const args = tool.inputSchema.safeParse(storable(given ?? {}));
    if (!args.success) {
      r.outcome = 'error';
      await finish(app, audit, call, r);
      return {
        content: [{ type: 'text', text: `Invalid arguments for ${name}: ${describeIssues(args.error)}. Fix them and call again.` }],
        isError: true,
      };
    }
    try {
      const out = await tool.run(call, args.data);
      r.taskId = out.taskId ?? null;
      r.factorTypes = out.factorTypes ?? null;
      r.outcome = out.outcome ?? 'ok';
      await finish(app, audit, call, r);
      return { content: [{ type: 'text', text: out.text }], structuredContent: out.structured as Record<string, unknown> };
    } catch (err) {
      let message: string;
      if (err instanceof ToolError) {
        r.outcome = err.outcome;
        r.taskId = err.audit.taskId ?? null;
        r.factorTypes = err.audit.factorTypes ?? null;
        message = err.message;
      } else if (err instanceof DomainError && err.code !== 'forbidden') {
        r.outcome = 'error';
        message = err.message;
      } else {
        r.outcome = 'error';
        app.log.error({ reqId: call.requestId, tool: name, err: { message: (err as Error).message, stack: (err as Error).stack } }, 'tool failed');
        message = `Taskline could not complete ${name} because of an internal error (request ${call.requestId}). Try again in a moment; if it keeps failing, tell the staff.`;
      }
      await finish(app, audit, call, r);
      return { content: [{ type: 'text', text: message }], isError: true };
    }
  };
}

/**
 * resources/read and resources/list go through the same boundary as tools/call: the policy (they show what
 * getTaskDetails shows, so a credential without it reads nothing — the same answer as for a task that does not
 * exist), metrics, and an audit row committed before the answer (resource.read with its task, resource.list). The
 * per-credential rate limit counts them in the HTTP handler, like tool calls.
 */
export function createBoundary(app: AppContext, audit: AuditWriter): Boundary {
  const callTool = createToolCaller(app, audit);
  async function through<T>(
    call: CallContext,
    method: 'resources/read' | 'resources/list',
    denied: () => T,
    run: () => Promise<{ value: T; taskId?: number | null }>,
  ): Promise<T> {
    const action = method === 'resources/read' ? 'resource.read' : 'resource.list';
    const r: CallRecord = { name: method, allowed: true, started: performance.now(), outcome: 'ok', taskId: null, factorTypes: null };
    if (!mayReadTasks(call)) {
      r.outcome = 'denied';
      await finish(app, audit, call, r, action);
      return denied();
    }
    try {
      const out = await run();
      r.taskId = out.taskId ?? null;
      await finish(app, audit, call, r, action);
      return out.value;
    } catch (err) {
      r.outcome = 'error';
      if (!(err instanceof ResourceNotFound) && !(err instanceof RpcError))
        app.log.error({ reqId: call.requestId, method, err: { message: (err as Error).message, stack: (err as Error).stack } }, `${method} failed`);
      await finish(app, audit, call, r, action);
      throw err;
    }
  }
  return {
    callTool,
    readResource: (call, params) =>
      through(
        call,
        'resources/read',
        () => {
          throw new ResourceNotFound(String((params as { uri?: unknown } | undefined)?.uri ?? ''));
        },
        async () => {
          const { result, taskId } = await readTaskResource(call, params);
          return { value: result, taskId };
        },
      ),
    listResources: (call) =>
      through(
        call,
        'resources/list',
        () => [],
        async () => ({ value: await listTaskResources(call) }),
      ),
  };
}
