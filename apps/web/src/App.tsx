import { QueryClientProvider } from '@tanstack/react-query';
import { ConfigProvider } from 'antd-mobile';
import enUS from 'antd-mobile/es/locales/en-US';
import zhCN from 'antd-mobile/es/locales/zh-CN';
import { Suspense, lazy } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, createBrowserRouter } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { setUnauthorizedListener } from './api/client.ts';
import { RequireAuth } from './auth/RequireAuth.tsx';
import { markSignedOut, queryClient } from './auth/session.ts';
import { Loading } from './components/States.tsx';
import { TabLayout } from './components/TabLayout.tsx';
import { ChangePassword } from './screens/ChangePassword.tsx';
import { ForgotPassword } from './screens/ForgotPassword.tsx';
import { FreezeWallet } from './screens/Freeze.tsx';
import { Home } from './screens/Home.tsx';
import { Inbox } from './screens/Inbox.tsx';
import { MeScreen } from './screens/Me.tsx';
import { Passkeys } from './screens/Passkeys.tsx';
import { PasswordFree } from './screens/PasswordFree.tsx';
import { PaymentPin } from './screens/PaymentPin.tsx';
import { RealName } from './screens/RealName.tsx';
import { Register } from './screens/Register.tsx';
import { ReportLoss } from './screens/ReportLoss.tsx';
import { Security } from './screens/Security.tsx';
import { SignIn } from './screens/SignIn.tsx';
import type { SignInState } from './screens/SignIn.tsx';
import { TwoStep } from './screens/TwoStep.tsx';
import { Unfreeze } from './screens/Unfreeze.tsx';
import { Welcome } from './screens/Welcome.tsx';
import { BindCard, Cards } from './screens/money/Cards.tsx';
import { BankTransfer } from './screens/money/BankTransfer.tsx';
import { Funding, FundingResult } from './screens/money/Funding.tsx';
import { History, TransactionDetail } from './screens/money/History.tsx';
import { MerchantPay } from './screens/money/MerchantPay.tsx';
import { Checkout } from './screens/money/Checkout.tsx';
import { PayCode } from './screens/money/PayCode.tsx';
import { Shop, ShopOrder } from './screens/money/Shop.tsx';
import { ReceiveCode, Scan } from './screens/money/Receive.tsx';
import { PayRequest, RequestMoney } from './screens/money/Requests.tsx';
import { StepUpProvider } from './screens/money/StepUp.tsx';
import { Transfer } from './screens/money/Transfer.tsx';
import { RedPacketOpen } from './screens/redpackets/RedPacketOpen.tsx';
import { RedPacketSend } from './screens/redpackets/RedPacketSend.tsx';
import { RedPacketsMine, SentRedPacket } from './screens/redpackets/RedPacketsMine.tsx';
import { DisputeNew, DisputePage, DisputesMine } from './screens/disputes/Disputes.tsx';
import { SplitNew } from './screens/splits/SplitNew.tsx';
import { SplitOpen } from './screens/splits/SplitOpen.tsx';
import { SplitOrganised, SplitsMine } from './screens/splits/SplitsMine.tsx';
import { HelpArticle, HelpCentre, HelpFeedback } from './screens/help/Help.tsx';
import { SupportChat, SupportConversation, SupportNew, SupportTickets } from './screens/support/Support.tsx';

// The merchant portal (antd, charts): its own chunk, downloaded only when /merchant is opened.
const Portal = lazy(() => import('./portal/Portal.tsx'));
// The operator console (bank staff, antd): likewise its own chunk, only when /console is opened.
const Console = lazy(() => import('./console/Console.tsx'));

const router = createBrowserRouter([
  { path: '/welcome', element: <Welcome /> },
  { path: '/register', element: <Register /> },
  { path: '/sign-in', element: <SignIn /> },
  { path: '/forgot-password', element: <ForgotPassword /> },
  { path: '/report-loss', element: <ReportLoss /> },
  // A shop's customer lands here from the shop's site: shown before signing in.
  { path: '/checkout/:token', element: <Checkout /> },
  // A red packet's link, shared anywhere: it asks to sign in first and comes back (issue 13).
  { path: '/red-packets/:ref', element: <RedPacketOpen /> },
  // A split bill's link (AA 收款), likewise: sign in first, then back to pay one's share.
  { path: '/splits/:ref', element: <SplitOpen /> },
  // Help and support (issue 15): the FAQ is open to visitors too; feedback asks to sign in first.
  { path: '/help', element: <HelpCentre /> },
  { path: '/help/feedback', element: <HelpFeedback /> },
  { path: '/help/:id', element: <HelpArticle /> },
  // Merchant staff on a computer; it signs in through /sign-in?next=/merchant itself.
  {
    path: '/merchant/*',
    element: (
      <Suspense fallback={<Loading />}>
        <Portal />
      </Suspense>
    ),
  },
  // Bank staff; signs in with username, password and TOTP on its own page (not a holder session).
  {
    path: '/console/*',
    element: (
      <Suspense fallback={<Loading />}>
        <Console />
      </Suspense>
    ),
  },
  {
    element: <RequireAuth />,
    children: [
      {
        element: <TabLayout />,
        children: [
          { index: true, element: <Home /> },
          { path: 'me', element: <MeScreen /> },
        ],
      },
      { path: 'me/security', element: <Security /> },
      { path: 'me/security/password', element: <ChangePassword /> },
      { path: 'me/security/pin', element: <PaymentPin /> },
      { path: 'me/security/passkeys', element: <Passkeys /> },
      { path: 'me/security/two-step', element: <TwoStep /> },
      { path: 'me/security/password-free', element: <PasswordFree /> },
      { path: 'me/security/freeze', element: <FreezeWallet /> },
      { path: 'me/security/unfreeze', element: <Unfreeze /> },
      { path: 'me/real-name', element: <RealName /> },
      { path: 'inbox', element: <Inbox /> },
      // Money (issue 4)
      { path: 'cards', element: <Cards /> },
      { path: 'cards/bind', element: <BindCard /> },
      { path: 'top-up', element: <Funding kind="top_up" /> },
      { path: 'withdraw', element: <Funding kind="withdrawal" /> },
      { path: 'funding/:id', element: <FundingResult /> },
      { path: 'bank-transfer', element: <BankTransfer /> },
      { path: 'transfer', element: <Transfer /> },
      { path: 'receive', element: <ReceiveCode /> },
      { path: 'scan', element: <Scan /> },
      { path: 'requests/new', element: <RequestMoney /> },
      { path: 'pay/requests/:id', element: <PayRequest /> },
      { path: 'pay/merchant', element: <MerchantPay /> },
      { path: 'pay-code', element: <PayCode /> },
      { path: 'shop', element: <Shop /> },
      { path: 'shop/orders/:merchantOrderId', element: <ShopOrder /> },
      { path: 'history', element: <History /> },
      { path: 'history/:id', element: <TransactionDetail /> },
      // Red packets (issue 13); a packet's own link is above, outside the signed-in screens.
      { path: 'red-packets', element: <RedPacketsMine /> },
      { path: 'red-packets/new', element: <RedPacketSend /> },
      { path: 'red-packets/sent/:id', element: <SentRedPacket /> },
      // Disputes (issue 15): 申诉 from a movement's detail page (?transaction=<historyId>), one dispute.
      { path: 'disputes', element: <DisputesMine /> },
      { path: 'disputes/new', element: <DisputeNew /> },
      { path: 'disputes/:id', element: <DisputePage /> },
      // Customer service (issue 15): my tickets, a new one (?transaction=<historyId>), live chat, one ticket.
      { path: 'support', element: <SupportTickets /> },
      { path: 'support/new', element: <SupportNew /> },
      { path: 'support/chat', element: <SupportChat /> },
      { path: 'support/:id', element: <SupportConversation /> },
      // Split bills (AA 收款, issue 13); a split's own link is above, outside the signed-in screens.
      { path: 'splits', element: <SplitsMine /> },
      { path: 'splits/new', element: <SplitNew /> },
      { path: 'splits/mine/:id', element: <SplitOrganised /> },
    ],
  },
  { path: '*', element: <Navigate to="/" replace /> },
]);

// Any call refused with 401 means the session is gone (signed out elsewhere, idle too long).
setUnauthorizedListener(() => {
  markSignedOut();
  const state: SignInState = { expired: true };
  void router.navigate('/sign-in', { replace: true, state });
});

export function App() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : zhCN}>
      <QueryClientProvider client={queryClient}>
        {/* Any payment screen may need a risk step-up: its sheet lives above the routes. */}
        <StepUpProvider>
          <RouterProvider router={router} />
        </StepUpProvider>
      </QueryClientProvider>
    </ConfigProvider>
  );
}
