/**
 * 用户: find a holder (phone, last 4 digits, ID number masked or its last 4, legal name, merchant)
 * and open the holder page — profile, tier and limits, accounts, movements, risk decisions,
 * sessions and devices, cards, freezes, tickets, notes; reveal a full ID number with a reason;
 * freeze and unfreeze with a reason. Needs `holders:read` (the actions their own permissions).
 */
import { TeamOutlined } from '@ant-design/icons';
import { Route, Routes } from 'react-router';
import { HolderView } from '../holders/HolderView.tsx';
import { HolderSearch } from '../holders/HolderSearch.tsx';
import type { ConsolePage } from '../page.ts';

function Holders() {
  return (
    <Routes>
      <Route index element={<HolderSearch />} />
      <Route path=":userId" element={<HolderView />} />
    </Routes>
  );
}

export const page: ConsolePage = {
  path: 'holders',
  title: 'console.menu.holders',
  permission: 'holders:read',
  order: 10,
  icon: <TeamOutlined />,
  component: Holders,
};
