import { migrate } from '../platform/db/migrate.ts';
import { listAudit } from '../domain/audit.ts';
import { createCredential, listCredentials, revokeCredential } from '../domain/credentials.ts';
import { ROLES, createUser, type Role } from '../domain/users.ts';
import { createWorkspace, listWorkspaces, requireWorkspace, updateWorkspace } from '../domain/workspaces.ts';
import { ALL_TOOLS, describeLevel } from '../domain/policy.ts';
import { generatePassword } from '../platform/crypto/password.ts';
import { seedWorkspace } from '../seed/seed.ts';
import { clientConfigs, mcpUrl } from '../presenters/clientConfigs.ts';
import { USER_COMMANDS } from './userCommands.ts';
import { STORE_COMMANDS } from './storeCommands.ts';
import { JSON_OPT, UsageError, credentialJson, fmtDate, intArg, need, onOff, parseDuration, readStdin, table, type Command } from './args.ts';

export const COMMANDS: Record<string, Command> = {
  serve: {
    usage: 'serve                      run the web app and MCP endpoint (same as npm start)',
    options: {},
    async run() {
      await import('../app/main.ts');
      return new Promise(() => {}); // runs until a signal
    },
  },
  migrate: {
    usage: 'migrate                    apply pending database migrations',
    options: JSON_OPT,
    db: true,
    async run({ db, json }) {
      const r = await migrate(db);
      return json
        ? { version: r.version, applied: r.applied.map((m) => `${m.version}_${m.name}`) }
        : r.applied.length
          ? `applied ${r.applied.map((m) => `${m.version}_${m.name}`).join(', ')}; schema at version ${r.version}`
          : `schema already at version ${r.version}; nothing to do`;
    },
  },
  seed: {
    usage: 'seed --workspace W --tasks N [--customers M] [--seed S]   add realistic demo data (deterministic per seed)',
    options: { ...JSON_OPT, workspace: { type: 'string' }, tasks: { type: 'string' }, customers: { type: 'string' }, seed: { type: 'string' } },
    db: true,
    async run({ values, db, json }) {
      const wsId = need(values.workspace, '--workspace');
      const tasks = intArg(need(values.tasks, '--tasks'), '--tasks', 1, 10_000_000)!;
      const customers = intArg(values.customers, '--customers', 1, 10_000_000);
      const seed = intArg(values.seed, '--seed', 0, 2 ** 31 - 1) ?? 1;
      const ws = await requireWorkspace(db, wsId);
      const started = Date.now();
      const isTty = process.stderr.isTTY;
      let lastPct = -1;
      const r = await seedWorkspace(db, ws.id, {
        tasks,
        customers,
        seed,
        onProgress(done, total) {
          const pct = Math.floor((done / total) * 100);
          if (isTty) {
            const w = 30;
            const fill = Math.round((done / total) * w);
            process.stderr.write(
              `\r[${'#'.repeat(fill)}${' '.repeat(w - fill)}] ${pct}%  ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} tasks`,
            );
            if (done === total) process.stderr.write('\n');
          } else if (pct >= lastPct + 10 || done === total) {
            lastPct = pct;
            process.stderr.write(`seed: ${pct}% (${done}/${total} tasks)\n`);
          }
        },
      });
      const seconds = (Date.now() - started) / 1000;
      return json
        ? { workspaceId: ws.id, ...r, seconds }
        : `seeded ${r.tasks} tasks (#${r.firstNumber}–#${r.lastNumber}), ${r.customers} customers, ${r.comments} comments into "${ws.name}" in ${seconds.toFixed(1)} s`;
    },
  },
  'workspace create': {
    usage: 'workspace create --name N  create a workspace',
    options: { ...JSON_OPT, name: { type: 'string' } },
    db: true,
    async run({ values, db, json, config }) {
      const ws = await createWorkspace(db, { name: need(values.name, '--name') });
      return json
        ? { ...ws, mcpUrl: mcpUrl(config.publicUrl, ws.id) }
        : `created workspace "${ws.name}"\n  id: ${ws.id}\n  MCP endpoint: ${mcpUrl(config.publicUrl, ws.id)}`;
    },
  },
  'workspace list': {
    usage: 'workspace list             list workspaces',
    options: JSON_OPT,
    db: true,
    async run({ db, json }) {
      const all = await listWorkspaces(db);
      if (json) return all;
      if (!all.length) return 'no workspaces yet — create one with: taskline workspace create --name "My business"';
      return table([
        ['ID', 'NAME', 'TASKS', 'MCP', 'COMMENTS', 'MIN FACTORS'],
        ...all.map((w) => [
          w.id,
          w.name,
          String(w.taskCount),
          w.mcpEnabled ? 'on' : 'off',
          w.allowCustomerComments ? 'on' : 'off',
          String(w.minVerificationFactors),
        ]),
      ]);
    },
  },
  'workspace update': {
    usage:
      'workspace update W [--name N] [--mcp on|off] [--allow-comments on|off] [--min-factors K]   (K: 1 phone on file, 2 + full name, 3 + task number)',
    options: {
      ...JSON_OPT,
      name: { type: 'string' },
      mcp: { type: 'string' },
      'allow-comments': { type: 'string' },
      'min-factors': { type: 'string' },
    },
    positionals: 1,
    db: true,
    async run({ values, positionals, db, json }) {
      const id = need(positionals[0], 'workspace id');
      const patch = {
        name: values.name as string | undefined,
        mcpEnabled: onOff(values.mcp, '--mcp'),
        allowCustomerComments: onOff(values['allow-comments'], '--allow-comments'),
        minVerificationFactors: intArg(values['min-factors'], '--min-factors', 1, 3),
      };
      if (Object.values(patch).every((v) => v === undefined))
        throw new UsageError('nothing to update: pass --name, --mcp, --allow-comments or --min-factors');
      await requireWorkspace(db, id);
      const ws = await updateWorkspace(db, id, patch);
      return json
        ? ws
        : `updated "${ws.name}": mcp ${ws.mcpEnabled ? 'on' : 'off'}, customer comments ${ws.allowCustomerComments ? 'on' : 'off'}, ` +
            `min factors ${ws.minVerificationFactors} (callers give ${describeLevel(ws.minVerificationFactors)})`;
    },
  },
  'user create': {
    usage: 'user create --workspace W --email E --role owner|admin|member [--name N]   (password from stdin, or generated)',
    options: { ...JSON_OPT, workspace: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } },
    db: true,
    async run({ values, db, json }) {
      const wsId = need(values.workspace, '--workspace');
      const email = need(values.email, '--email');
      const role = need(values.role, '--role');
      if (!ROLES.includes(role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
      const ws = await requireWorkspace(db, wsId);
      const fromStdin = (await readStdin()).split(/\r?\n/, 1)[0]!.trim();
      const password = fromStdin || generatePassword();
      const user = await createUser(db, ws.id, { email, name: values.name as string | undefined, role: role as Role, password });
      const generated = fromStdin ? undefined : password;
      return json
        ? { ...user, ...(generated ? { password: generated } : {}) }
        : `created ${user.role} ${user.email} in "${ws.name}"` + (generated ? `\n  password (shown only now): ${generated}` : '');
    },
  },
  ...USER_COMMANDS,
  ...STORE_COMMANDS,
  'credential create': {
    usage: 'credential create --workspace W --name N [--tools a,b] [--allow-comments] [--factors K] [--reveal-contact] [--expires-in 90d]',
    options: {
      ...JSON_OPT,
      workspace: { type: 'string' },
      name: { type: 'string' },
      tools: { type: 'string' },
      'allow-comments': { type: 'boolean' },
      factors: { type: 'string' },
      'reveal-contact': { type: 'boolean' },
      'expires-in': { type: 'string' },
    },
    db: true,
    async run({ values, db, json, config }) {
      const wsId = need(values.workspace, '--workspace');
      const name = need(values.name, '--name');
      const tools =
        typeof values.tools === 'string'
          ? values.tools
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined;
      if (tools && !tools.length) throw new UsageError(`--tools needs a comma list of: ${ALL_TOOLS.join(', ')}`);
      const verificationFactors = intArg(values.factors, '--factors', 1, 3) ?? null;
      const expiresAt = typeof values['expires-in'] === 'string' ? parseDuration(values['expires-in']) : null;
      const ws = await requireWorkspace(db, wsId);
      const { credential, token } = await createCredential(db, ws.id, {
        name,
        tools,
        allowCustomerComments: values['allow-comments'] === true,
        verificationFactors,
        revealCustomerContact: values['reveal-contact'] === true,
        expiresAt,
      });
      const url = mcpUrl(config.publicUrl, ws.id);
      if (json) return { ...credentialJson(credential), token, mcpUrl: url };
      const lines = [
        `created credential "${credential.name}" (${credential.id})`,
        `  token (shown only now — copy it): ${token}`,
        `  MCP endpoint: ${url}`,
        `  tools: ${credential.tools.join(', ')}${credential.allowCustomerComments ? ' + addCustomerComment (when the workspace allows it)' : ''}`,
        `  contact details: ${credential.revealCustomerContact ? 'shown in full' : 'masked (phone and email found only whole)'}`,
        '',
        'Connect your assistant:',
      ];
      for (const c of clientConfigs(url, token)) lines.push(`  ${c.client} (${c.where}):`, ...c.text.split('\n').map((l) => `    ${l}`));
      return lines.join('\n');
    },
  },
  'credential list': {
    usage: 'credential list --workspace W   list credentials and connected apps (previews only)',
    options: { ...JSON_OPT, workspace: { type: 'string' } },
    db: true,
    async run({ values, db, json }) {
      const ws = await requireWorkspace(db, need(values.workspace, '--workspace'));
      // Connected apps (OAuth grants) are credentials too: listed here, revoked with `credential revoke`.
      const all = await listCredentials(db, ws.id, 'all');
      if (json) return all.map(credentialJson);
      if (!all.length) return `no credentials in "${ws.name}" — create one with: taskline credential create --workspace ${ws.id} --name my-assistant`;
      return table([
        ['ID', 'NAME', 'PREVIEW', 'STATE', 'TOOLS', 'CREATED', 'LAST USED', 'EXPIRES'],
        ...all.map((c) => [
          c.id,
          c.name,
          c.preview,
          c.state,
          String(c.tools.length + (c.allowCustomerComments ? 1 : 0)),
          fmtDate(c.createdAt),
          fmtDate(c.lastUsedAt),
          fmtDate(c.expiresAt),
        ]),
      ]);
    },
  },
  'credential revoke': {
    usage: 'credential revoke ID       revoke a credential (takes effect on the next request)',
    options: JSON_OPT,
    positionals: 1,
    db: true,
    async run({ positionals, db, json }) {
      const c = await revokeCredential(db, need(positionals[0], 'credential id'));
      return json ? credentialJson(c) : `revoked "${c.name}" (${c.id}) at ${fmtDate(c.revokedAt)}`;
    },
  },
  audit: {
    usage: 'audit --workspace W [--limit N]   recent audit events, newest first',
    options: { ...JSON_OPT, workspace: { type: 'string' }, limit: { type: 'string' } },
    db: true,
    async run({ values, db, json }) {
      const wsId = need(values.workspace, '--workspace');
      const limit = intArg(values.limit, '--limit', 1, 10_000) ?? 50;
      const ws = await requireWorkspace(db, wsId);
      const events = await listAudit(db, ws.id, { limit });
      if (json) return events;
      if (!events.length) return 'no audit events yet';
      return table([
        ['TIME', 'ACTION', 'TOOL', 'OUTCOME', 'CREDENTIAL / USER', 'TASK', 'MS', 'FACTORS'],
        ...events.map((e) => [
          fmtDate(e.createdAt),
          e.action,
          e.tool ?? '',
          e.outcome,
          e.credentialName ?? e.userName ?? e.credentialId ?? e.userId ?? '',
          e.taskNumber == null ? '' : `#${e.taskNumber}`,
          e.latencyMs == null ? '' : String(e.latencyMs),
          (e.factorTypes ?? []).join(','),
        ]),
      ]);
    },
  },
};
