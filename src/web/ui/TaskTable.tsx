import type { MatchedOn } from '../../domain/search.ts';
import type { Task } from '../../domain/tasks.ts';
import { PriorityBadge, StatusBadge, Time } from './ui.tsx';

export const MATCHED: Record<MatchedOn, string> = {
  taskNumber: 'task number',
  phone: 'phone',
  email: 'email',
  customerName: 'customer name',
  text: 'title / description',
};
export type Row = Task & { matchedOn?: MatchedOn };

export function TaskTable(p: { tasks: Row[]; showMatch?: boolean; hideCustomer?: boolean }) {
  return (
    <div class="table-wrap">
      <table class="data stack">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Task</th>
            <th scope="col">Status</th>
            <th scope="col">Priority</th>
            <th scope="col">Assignee</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {p.tasks.map((t) => (
            <tr>
              <td class="num inline-sm">#{t.number}</td>
              <td class="title-cell">
                <a href={`/tasks/${t.number}`}>{t.title}</a>
                {!p.hideCustomer && t.customerName ? <span class="cell-sub">{t.customerName}</span> : null}
                {p.showMatch && t.matchedOn ? <span class="cell-sub">matched on {MATCHED[t.matchedOn]}</span> : null}
              </td>
              <td class="inline-sm">
                <StatusBadge status={t.status} />
              </td>
              <td class="inline-sm">
                <PriorityBadge priority={t.priority} />
              </td>
              <td data-label="Assignee">{t.assigneeName ?? <span class="muted">Unassigned</span>}</td>
              <td data-label="Updated" class="nowrap">
                <Time d={t.updatedAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
