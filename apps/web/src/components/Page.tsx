import { NavBar } from 'antd-mobile';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router';
import { BackIcon } from './icons.tsx';

/**
 * Back to where the person came from; opened directly (a bookmark, a reload) there is no history
 * entry of ours to go back to, so to `backTo`. Also for a screen that is done (PIN set), so the
 * finished screen does not stay in the history for the back button to find again.
 */
export function useGoBack(backTo: string, options: { replace?: boolean } = {}): () => void {
  const navigate = useNavigate();
  const location = useLocation();
  const replace = options.replace ?? false;
  return () => void (location.key === 'default' ? navigate(backTo, { replace }) : navigate(-1));
}

/**
 * A screen below the tabs: a title bar with a way back, and its content. Without `backTo` there
 * is no way back (a page of its own, as the hosted checkout a shop sends its customer to).
 */
export function Page(props: { title: string; backTo?: string; children: ReactNode; right?: ReactNode }) {
  const { t } = useTranslation();
  const back = useGoBack(props.backTo ?? '/');
  return (
    <div className="page">
      <NavBar
        className="page-nav"
        back={null}
        right={props.right}
        left={
          props.backTo === undefined ? null : (
            <button
              type="button"
              className="icon-button back-button"
              aria-label={t('common.back')}
              onClick={back}
            >
              <BackIcon />
            </button>
          )
        }
      >
        <h1 className="page-title">{props.title}</h1>
      </NavBar>
      <main className="page-body">{props.children}</main>
    </div>
  );
}
