import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { fetchKyc, kycKey } from '../api/kyc.ts';
import { formatLimit } from '../lib/tiers.ts';
import { IdCardIcon } from './icons.tsx';

export function useKyc() {
  return useQuery({ queryKey: kycKey, queryFn: fetchKyc });
}

/** Home: the holder's real-name tier and what it allows, a tap away from 实名认证. */
export function TierCard() {
  const { t, i18n } = useTranslation();
  const kyc = useKyc();
  if (!kyc.data) return null;
  const { tier, limits, realName } = kyc.data;
  const body =
    tier === 'T0'
      ? t('home.tierUpgrade')
      : t('home.tierDaily', { amount: formatLimit(limits.daily, i18n.language, t('kyc.unlimited')) });
  return (
    <Link to="/me/real-name" className="tier-card" data-testid="tier-card">
      <span className="tier-card-icon" aria-hidden="true">
        <IdCardIcon />
      </span>
      <span className="tier-card-text">
        <span className="tier-card-title">
          {t('kyc.tierLine', { tier, name: t(`kyc.tierName.${tier}`) })}
          {realName ? <span className="tier-card-name"> {realName.name}</span> : null}
        </span>
        <span className="tier-card-body">{body}</span>
      </span>
      <span className="tier-card-action">{tier === 'T0' ? t('home.tierGo') : t('home.tierView')}</span>
    </Link>
  );
}
