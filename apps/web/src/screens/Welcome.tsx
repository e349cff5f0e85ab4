import { Button } from 'antd-mobile';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate } from 'react-router';
import { hasSignedIn } from '../auth/session.ts';
import { LanguageSwitch } from '../components/LanguageSwitch.tsx';
import { Logo } from '../components/Logo.tsx';
import { LockIcon, ShieldIcon, DeviceIcon } from '../components/icons.tsx';

export function Welcome() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  if (hasSignedIn()) return <Navigate to="/" replace />;
  return (
    <div className="welcome">
      <header className="welcome-hero">
        <LanguageSwitch className="on-brand" />
        <Logo size={88} />
        <h1 className="welcome-name">{t('app.name')}</h1>
        <p className="welcome-tagline">{t('welcome.tagline')}</p>
      </header>
      <ul className="welcome-points">
        <li>
          <DeviceIcon />
          <span>{t('welcome.pointPhone')}</span>
        </li>
        <li>
          <LockIcon />
          <span>{t('welcome.pointSecure')}</span>
        </li>
        <li>
          <ShieldIcon />
          <span>{t('welcome.pointDevices')}</span>
        </li>
      </ul>
      <div className="welcome-actions">
        <Button block color="primary" size="large" shape="rounded" onClick={() => void navigate('/register')}>
          {t('welcome.register')}
        </Button>
        <Button
          block
          fill="outline"
          color="primary"
          size="large"
          shape="rounded"
          onClick={() => void navigate('/sign-in')}
        >
          {t('welcome.signIn')}
        </Button>
      </div>
    </div>
  );
}
