/**
 * 工单 (docs/support.md): customer service's queue of tickets and live chats — filters by status
 * and assignee, waiting chats first — and one conversation: the holder's messages and
 * attachments (each view audited), answers typed or taken from a reply template, claim, assign,
 * resolve, close. A live stream (GET /v1/operator/support/stream) refreshes both as holders
 * write. Needs `tickets:answer`; templates are managed with `help:manage`.
 */
import { CustomerServiceOutlined } from '@ant-design/icons';
import type { ConsolePage } from '../page.ts';
import { TicketConversation, TicketQueue } from '../support/parts.tsx';
import { Route, Routes } from 'react-router';

function Tickets() {
  return (
    <Routes>
      <Route index element={<TicketQueue />} />
      <Route path=":id" element={<TicketConversation />} />
    </Routes>
  );
}

export const page: ConsolePage = {
  path: 'tickets',
  title: 'console.menu.tickets',
  permission: 'tickets:answer',
  order: 50,
  icon: <CustomerServiceOutlined />,
  component: Tickets,
};
