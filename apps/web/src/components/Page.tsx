import { NavBar } from 'antd-mobile';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { BackIcon } from './icons.tsx';

/** A screen below the tabs: a title bar with a way back, and its content. */
export function Page(props: { title: string; backTo: string; children: ReactNode; right?: ReactNode }) {
  const navigate = useNavigate();
  const location = useLocation();
  const { t } = useTranslation();
  // Opened directly (a bookmark, a reload): there is no history entry of ours to go back to.
  const back = () => void (location.key === 'default' ? navigate(props.backTo) : navigate(-1));
  return (
    <div className="page">
      <NavBar
        className="page-nav"
        back={null}
        right={props.right}
        left={
          <button
            type="button"
            className="icon-button back-button"
            aria-label={t('common.back')}
            onClick={back}
          >
            <BackIcon />
          </button>
        }
      >
        <h1 className="page-title">{props.title}</h1>
      </NavBar>
      <main className="page-body">{props.children}</main>
    </div>
  );
}
