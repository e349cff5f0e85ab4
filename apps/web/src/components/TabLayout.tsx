import { Badge } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { NavLink, Outlet } from 'react-router';
import { useUnreadCount } from '../screens/Inbox.tsx';
import { HomeIcon, UserIcon } from './icons.tsx';

/**
 * The signed-in home: the tab's screen above, the tab bar below. The tabs are links (NavLink
 * marks the current one with aria-current), so they work with a keyboard and a screen reader.
 */
export function TabLayout() {
  const { t } = useTranslation();
  const unread = useUnreadCount();
  return (
    <div className="tab-layout">
      <div className="tab-content">
        <Outlet />
      </div>
      <nav className="tab-bar" aria-label={t('tabs.label')}>
        <NavLink to="/" end className="tab-bar-item">
          <HomeIcon className="tab-bar-icon" />
          <span>{t('tabs.home')}</span>
        </NavLink>
        <NavLink to="/me" end className="tab-bar-item">
          <Badge content={unread > 0 ? Badge.dot : null}>
            <UserIcon className="tab-bar-icon" />
          </Badge>
          <span>{t('tabs.me')}</span>
        </NavLink>
      </nav>
    </div>
  );
}
