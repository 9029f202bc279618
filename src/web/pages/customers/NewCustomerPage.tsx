/** Add a customer. */
import type { Session } from '../../../domain/sessions.ts';
import { CreatePageHead, CsrfField, Layout } from '../../ui/ui.tsx';
import { CustomerFields } from './CustomerFields.tsx';

export function NewCustomerPage(p: { s: Session; v: { name: string; phone: string; email: string }; error?: string }) {
  return (
    <Layout title="Add customer" session={p.s} nav="customers">
      <CreatePageHead
        parent={{ href: '/customers', label: 'Customers' }}
        title="Add customer"
        error={p.error}
        errorTitle="The customer was not added"
      />
      <form method="post" action="/customers" class="panel">
        <CsrfField token={p.s.csrfToken} />
        <CustomerFields v={p.v} />
        <div class="actions">
          <button class="btn btn-primary" type="submit">
            Add customer
          </button>
          <a class="btn" href="/customers">
            Cancel
          </a>
        </div>
      </form>
    </Layout>
  );
}
