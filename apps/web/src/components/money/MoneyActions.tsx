import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import '../../screens/money/money.css';
import { RedPacketIcon } from '../../screens/redpackets/parts.tsx';
import { SplitIcon } from '../../screens/splits/parts.tsx';
import {
  BankIcon,
  BillIcon,
  CardIcon,
  RequestIcon,
  TopUpIcon,
  TransferIcon,
  WithdrawIcon,
} from './icons.tsx';

const ACTIONS = [
  { to: '/transfer', key: 'transfer', Icon: TransferIcon },
  { to: '/red-packets', key: 'redPackets', Icon: RedPacketIcon },
  { to: '/requests/new', key: 'request', Icon: RequestIcon },
  { to: '/splits', key: 'splits', Icon: SplitIcon },
  { to: '/top-up', key: 'topUp', Icon: TopUpIcon },
  { to: '/withdraw', key: 'withdraw', Icon: WithdrawIcon },
  { to: '/bank-transfer', key: 'toBank', Icon: BankIcon },
  { to: '/cards', key: 'cards', Icon: CardIcon },
  { to: '/history', key: 'history', Icon: BillIcon },
] as const;

/** Home: what the wallet does with money, five to a row (scan and receive lead the screen: Home.tsx). */
export function MoneyActions() {
  const { t } = useTranslation();
  return (
    <nav className="money-actions" aria-label={t('money.actions')}>
      {ACTIONS.map(({ to, key, Icon }) => (
        <Link key={key} to={to} className="money-action">
          <span className="money-action-icon">
            <Icon />
          </span>
          <span className="money-action-label">{t(`money.${key}`)}</span>
        </Link>
      ))}
    </nav>
  );
}
