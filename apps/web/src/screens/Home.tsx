import { useQuery } from '@tanstack/react-query';
import { Badge } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { fetchBalance } from '../api/identity.ts';
import type { Me } from '../api/identity.ts';
import { useMe } from '../auth/session.ts';
import { FreezeBanner } from '../components/FreezeBanner.tsx';
import { TierCard } from '../components/TierCard.tsx';
import { MoneyActions } from '../components/money/MoneyActions.tsx';
import { BellIcon, EyeIcon, EyeOffIcon, ShieldIcon } from '../components/icons.tsx';
import { PayCodeIcon, QrIcon, ScanIcon, ShopIcon } from '../components/money/icons.tsx';
import { UNKNOWN, formatMoney } from '../lib/format.ts';
import { useUnreadCount } from './Inbox.tsx';

const HIDE_BALANCE_KEY = 'qb_hide_balance';

/**
 * What people do most, first, as in Alipay and WeChat: scan (a merchant's or a friend's code),
 * the payment code to show at a till, receive, and the holder's own shop. Security and messages
 * sit below the balance.
 */
function PrimaryActions() {
  const { t } = useTranslation();
  const actions = [
    { to: '/scan', label: t('money.scan'), Icon: ScanIcon },
    { to: '/pay-code', label: t('money.payCode.title'), Icon: PayCodeIcon },
    { to: '/receive', label: t('money.receive'), Icon: QrIcon },
    { to: '/shop', label: t('money.shop.title'), Icon: ShopIcon },
  ];
  return (
    <nav className="home-primary" aria-label={t('home.primary')}>
      {actions.map(({ to, label, Icon }) => (
        <Link key={to} to={to} className="home-primary-action">
          <Icon />
          <span>{label}</span>
        </Link>
      ))}
    </nav>
  );
}

export function Home() {
  const { t } = useTranslation();
  const me = useMe();
  const unread = useUnreadCount();
  return (
    <div className="home">
      <section className="balance-card" aria-labelledby="balance-label">
        <PrimaryActions />
        <p className="home-greeting">
          {me.data?.phone ? t('home.greeting', { phone: me.data.phone }) : t('app.name')}
        </p>
        <Balance me={me.data} />
      </section>
      <nav className="home-shortcuts" aria-label={t('home.shortcuts')}>
        <Link to="/me/security" className="shortcut">
          <span className="shortcut-icon">
            <ShieldIcon />
          </span>
          <span>{t('security.title')}</span>
        </Link>
        <Link to="/inbox" className="shortcut">
          <span className="shortcut-icon">
            <Badge content={unread > 0 ? String(unread) : null}>
              <BellIcon />
            </Badge>
          </span>
          <span>
            {t('inbox.title')}
            {unread > 0 ? (
              <span className="visually-hidden">{t('inbox.unreadCount', { count: unread })}</span>
            ) : null}
          </span>
        </Link>
      </nav>
      <FreezeBanner />
      <MoneyActions />
      <TierCard />
      <aside className="tip-card">
        <h2>{t('home.tipTitle')}</h2>
        <p>{t('home.tipBody')}</p>
      </aside>
    </div>
  );
}

/**
 * The balance: from `/v1/me` when the server puts it there, else from `/v1/me/balance`; "—"
 * while it is unknown. Money on hold is shown apart when there is any.
 */
function Balance(props: { me: Me | undefined }) {
  const { t, i18n } = useTranslation();
  const [hidden, setHidden] = useState(() => localStorage.getItem(HIDE_BALANCE_KEY) === '1');
  const wallet = useQuery({
    queryKey: ['balance'],
    queryFn: fetchBalance,
    enabled: props.me !== undefined && props.me.balance === undefined,
  });
  const balance = props.me?.balance ?? wallet.data?.balance;
  const available = wallet.data?.available;
  const onHold = available !== undefined && balance !== undefined && available.amount !== balance.amount;
  const toggle = () => {
    localStorage.setItem(HIDE_BALANCE_KEY, hidden ? '0' : '1');
    setHidden(!hidden);
  };
  return (
    <>
      <div className="balance-label-row">
        <h2 id="balance-label" className="balance-label">
          {t('home.balance')}
        </h2>
        <button
          type="button"
          className="icon-button on-brand"
          aria-label={hidden ? t('home.showBalance') : t('home.hideBalance')}
          aria-pressed={hidden}
          onClick={toggle}
        >
          {hidden ? <EyeOffIcon /> : <EyeIcon />}
        </button>
      </div>
      <p className="balance-amount" data-testid="balance" aria-live="polite">
        {hidden ? '****' : balance ? formatMoney(balance, i18n.language) : UNKNOWN}
      </p>
      {onHold && !hidden ? (
        <p className="balance-available">
          {t('home.available', { amount: formatMoney(available, i18n.language) })}
        </p>
      ) : null}
    </>
  );
}
