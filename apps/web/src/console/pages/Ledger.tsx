/**
 * 账本: the ledger explorer — accounts (by id, owner or a holder's phone) and their transfers, one
 * transfer, the journal's hash-chained records, "verify the books" (the check of `npx qianbao
 * verify`), and the bank's reconciliation reports (needs `reconciliation:read` too). Needs
 * `ledger:read`.
 */
import { BookOutlined } from '@ant-design/icons';
import { Route, Routes } from 'react-router';
import { AccountView, LedgerHome, TransferView } from '../ledger/LedgerViews.tsx';
import type { ConsolePage } from '../page.ts';

function Ledger() {
  return (
    <Routes>
      <Route index element={<LedgerHome />} />
      <Route path="accounts/:accountId" element={<AccountView />} />
      <Route path="transfers/:transferId" element={<TransferView />} />
    </Routes>
  );
}

export const page: ConsolePage = {
  path: 'ledger',
  title: 'console.menu.ledger',
  permission: 'ledger:read',
  order: 62,
  icon: <BookOutlined />,
  component: Ledger,
};
