import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { fetchFreeze, freezeKey } from '../api/freeze.ts';
import { icon } from './icons.tsx';
import '../screens/freeze.css';

/** A snowflake: the wallet is frozen. */
export const FreezeIcon = icon(
  <>
    <path d="M12 2v20M4.5 6.5l15 11M19.5 6.5l-15 11" />
    <path d="m9 3.5 3 2.5 3-2.5M9 20.5l3-2.5 3 2.5" />
  </>,
);

/**
 * Home's banner while the wallet is frozen: what is stopped, and the way out — the unfreeze
 * screen when the holder may lift it, else customer service. Nothing when not frozen.
 */
export function FreezeBanner() {
  const { t } = useTranslation();
  const freeze = useQuery({ queryKey: freezeKey, queryFn: fetchFreeze });
  const state = freeze.data;
  if (!state || state.mode === 'none') return null;
  return (
    <section
      className={`freeze-banner ${state.mode}`}
      role="status"
      aria-labelledby="freeze-banner-title"
      data-testid="freeze-banner"
    >
      <span className="freeze-banner-icon">
        <FreezeIcon />
      </span>
      <div className="freeze-banner-text">
        <h2 id="freeze-banner-title">{t(`freeze.stateTitle.${state.mode}`)}</h2>
        <p>{t(`freeze.banner.${state.mode}`)}</p>
        {state.liftableBy === 'operator' ? <p>{t('freeze.banner.contact')}</p> : null}
      </div>
      {state.liftableBy === 'holder' ? (
        <Link to="/me/security/unfreeze" className="freeze-banner-action">
          {t('freeze.unfreeze')}
        </Link>
      ) : null}
    </section>
  );
}
