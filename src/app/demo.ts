import type { Config } from '../platform/config.ts';
import type { Db } from '../platform/db/client.ts';
import { generatePassword } from '../platform/crypto/password.ts';
import { createCredential } from '../domain/credentials.ts';
import { createCustomer } from '../domain/customers.ts';
import { createTask } from '../domain/tasks.ts';
import { createUser } from '../domain/users.ts';
import { createWorkspace } from '../domain/workspaces.ts';
import { addComment } from '../domain/comments.ts';
import { seedWorkspace } from '../seed/seed.ts';

export const DEMO_WORKSPACE = 'Acme Appliance Repair';
export const DEMO_ADMIN_EMAIL = 'admin@acme-repair.example';

export interface DemoCreated {
  workspaceId: string;
  workspaceName: string;
  adminEmail: string;
  adminPassword: string;
  token: string;
  tasks: number;
}

/** Demo on: embedded store unless TASKLINE_DEMO=0; DATABASE_URL only with TASKLINE_DEMO=1. */
export function demoWanted(config: Config): boolean {
  return config.demo ?? !config.databaseUrl;
}

/**
 * First start with an empty database: create the demo workspace, its admin and an MCP credential.
 * Returns null when the database already holds a workspace (nothing is created twice).
 */
export async function bootstrapDemo(db: Db): Promise<DemoCreated | null> {
  const existing = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM workspaces');
  if (existing.rows[0]!.n > 0) return null;
  const ws = await createWorkspace(db, { name: DEMO_WORKSPACE, minVerificationFactors: 2 });
  const adminPassword = generatePassword();
  const admin = await createUser(db, ws.id, { email: DEMO_ADMIN_EMAIL, name: 'Alex Admin', role: 'owner', password: adminPassword });
  // Dates relative to today so that "recent" and "overdue" mean something in the demo.
  const seeded = await seedWorkspace(db, ws.id, { tasks: 495, customers: 180, seed: 42, referenceDate: new Date() });

  // A known customer the README and the tests refer to.
  const russell = await createCustomer(db, ws.id, { name: 'Russell Hale', phone: '703-597-4534', email: 'russ@example.com' });
  const now = Date.now();
  const russellTasks = [
    {
      title: 'Washing machine leaking from the door seal',
      status: 'done',
      priority: 'normal',
      desc: 'Front-loader, water pools under the door after each cycle. Replaced the door boot gasket.',
    },
    {
      title: 'Dryer squeals loudly when tumbling',
      status: 'done',
      priority: 'low',
      desc: 'Worn drum rollers suspected. Customer prefers morning visits.',
    },
    {
      title: 'Refrigerator ice maker stopped working',
      status: 'waiting',
      priority: 'normal',
      desc: 'Ice maker module on back order; customer notified.',
    },
    {
      title: 'Oven not heating to set temperature',
      status: 'in_progress',
      priority: 'high',
      desc: 'Bake element tested open. Replacement element arriving Thursday.',
    },
    {
      title: 'Dishwasher not draining',
      status: 'open',
      priority: 'high',
      desc: 'Standing water after the cycle ends. Side gate code 4410; the dog is friendly.',
    },
  ] as const;
  let last: Awaited<ReturnType<typeof createTask>> | undefined;
  for (const [i, t] of russellTasks.entries()) {
    last = await createTask(db, ws.id, {
      title: t.title,
      description: t.desc,
      status: t.status,
      priority: t.priority,
      customerId: russell.id,
      assigneeId: admin.id,
      dueAt: t.status === 'open' ? new Date(now + 2 * 86400_000) : null,
    });
    if (i === russellTasks.length - 1) {
      await addComment(db, ws.id, { taskId: last.id, authorKind: 'customer', authorName: 'Russell Hale', body: 'Any time after 9am works for me.' });
    }
  }
  const { token } = await createCredential(db, ws.id, { name: 'Demo assistant', createdBy: admin.id });
  return {
    workspaceId: ws.id,
    workspaceName: ws.name,
    adminEmail: DEMO_ADMIN_EMAIL,
    adminPassword,
    token,
    tasks: seeded.tasks + russellTasks.length,
  };
}
