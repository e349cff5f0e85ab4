import { FormError } from '../../components/FormBits.tsx';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Dialog, Input, Toast } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { isApiError } from '../../api/client.ts';
import { fetchSandboxMode } from '../../api/identity.ts';
import {
  bankNameOf,
  bindCard,
  cardsKey,
  luhnValid,
  setDefaultCard,
  startCardVerification,
  unbindCard,
} from '../../api/money.ts';
import type { Card, CardVerification } from '../../api/money.ts';
import { useKyc } from '../../components/TierCard.tsx';
import { moneyErrorMessage } from '../../components/money/errors.ts';
import { Page } from '../../components/Page.tsx';
import { LoadFailed, Loading } from '../../components/States.tsx';
import { isMainlandMobile, normalisePhone } from '../../lib/format.ts';
import { BankBadge, MoneyError, useCards, useRefreshMoney } from './parts.tsx';

/** 银行卡: the bound cards, default first; set another default; unbind after a confirmation. */
export function Cards() {
  const { t } = useTranslation();
  const cards = useCards();
  return (
    <Page title={t('money.cardsPage.title')} backTo="/">
      {cards.isPending ? (
        <Loading />
      ) : cards.isError ? (
        <LoadFailed error={cards.error} onRetry={() => void cards.refetch()} />
      ) : (
        <>
          {cards.data.length === 0 ? <p className="empty">{t('money.cardsPage.empty')}</p> : null}
          <ul className="bank-cards" aria-label={t('money.cardsPage.title')}>
            {cards.data.map((card) => (
              <CardItem key={card.id} card={card} />
            ))}
          </ul>
          <div className="money-buttons">
            <Link
              to="/cards/bind"
              className="adm-button adm-button-primary adm-button-block adm-button-large adm-button-shape-rounded money-link-primary"
            >
              {t('money.cardsPage.add')}
            </Link>
          </div>
        </>
      )}
    </Page>
  );
}

function CardItem({ card }: { card: Card }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const bank = bankNameOf(card.bankName, i18n.language);
  const makeDefault = useMutation({
    mutationFn: () => setDefaultCard(card.id),
    onSuccess: () => {
      Toast.show({ icon: 'success', content: t('money.cardsPage.defaultSet') });
      void queryClient.invalidateQueries({ queryKey: cardsKey });
    },
    onError: (error) => Toast.show({ content: moneyErrorMessage(error) }),
  });
  const unbind = async () => {
    const confirmed = await Dialog.confirm({
      content: t('money.cardsPage.unbindConfirm', { bank, last4: card.last4 }),
      confirmText: t('money.cardsPage.unbind'),
      cancelText: t('common.cancel'),
    });
    if (!confirmed) return;
    try {
      await unbindCard(card.id);
      Toast.show({ icon: 'success', content: t('money.cardsPage.unbound') });
    } catch (error) {
      await Dialog.alert({ content: moneyErrorMessage(error), confirmText: t('money.done') });
    }
    void queryClient.invalidateQueries({ queryKey: cardsKey });
  };
  return (
    <li className="bank-card" data-testid="bank-card">
      <div className="bank-card-top">
        <BankBadge code={card.bankCode} />
        <div className="bank-card-name">
          <span className="bank-card-bank">{bank}</span>
          <span className="bank-card-type">{t(`money.cardsPage.${card.cardType}`)}</span>
        </div>
        {card.isDefault ? <span className="bank-card-default">{t('money.cardsPage.default')}</span> : null}
      </div>
      <p className="bank-card-number amount">{card.maskedNumber}</p>
      <div
        className="bank-card-actions"
        role="group"
        aria-label={t('money.cardsPage.cardActions', { bank, last4: card.last4 })}
      >
        {card.isDefault ? null : (
          <Button
            size="small"
            fill="outline"
            shape="rounded"
            loading={makeDefault.isPending}
            onClick={() => makeDefault.mutate()}
          >
            {t('money.cardsPage.setDefault')}
          </Button>
        )}
        <Button
          size="small"
          fill="none"
          shape="rounded"
          className="bank-card-unbind"
          onClick={() => void unbind()}
        >
          {t('money.cardsPage.unbind')}
        </Button>
      </div>
    </li>
  );
}

/**
 * 添加银行卡: the card number (checked with Luhn while typing) and the card's phone at the bank →
 * the bank texts a code → bound. Needs the real name (T1): the bank checks the card against it.
 */
export function BindCard() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const refresh = useRefreshMoney();
  const kyc = useKyc();
  const sandbox = useQuery({ queryKey: ['sandbox'], queryFn: fetchSandboxMode, staleTime: Infinity });
  const [cardNumber, setCardNumber] = useState('');
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [verification, setVerification] = useState<CardVerification | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const digits = cardNumber.replace(/\D/g, '');
  const luhn = digits.length >= 13 ? luhnValid(digits) : null;

  if (kyc.isPending) {
    return (
      <Page title={t('money.bind.title')} backTo="/cards">
        <Loading />
      </Page>
    );
  }
  if (kyc.data && kyc.data.tier === 'T0') {
    return (
      <Page title={t('money.bind.title')} backTo="/cards">
        <div className="money-empty" data-testid="real-name-required">
          <h2 className="section-title">{t('money.bind.realNameTitle')}</h2>
          <p className="section-hint">{t('money.bind.realNameBody')}</p>
          <Link
            to="/me/real-name"
            className="adm-button adm-button-primary adm-button-large adm-button-shape-rounded money-link-primary"
          >
            {t('money.bind.realNameGo')}
          </Link>
        </div>
      </Page>
    );
  }

  const sendCode = async () => {
    setError(null);
    if (!luhnValid(digits)) {
      setProblem(t('money.bind.luhnBad'));
      return;
    }
    if (!isMainlandMobile(phone)) {
      setProblem(t('money.transferPage.phoneInvalid'));
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      setVerification(await startCardVerification({ cardNumber: digits, phone: normalisePhone(phone) }));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const bind = async () => {
    if (!verification) return;
    if (!/^\d{6}$/.test(code)) {
      setProblem(t('validation.code'));
      return;
    }
    setProblem(null);
    setError(null);
    setBusy(true);
    try {
      await bindCard({ verificationId: verification.verificationId, smsCode: code });
      refresh();
      Toast.show({ icon: 'success', content: t('money.bind.bound') });
      void navigate('/cards', { replace: true });
    } catch (failure) {
      if (
        isApiError(failure, 'CARD_VERIFICATION_NOT_FOUND') ||
        (isApiError(failure, 'CARD_SMS_CODE_INVALID') && failure.details.reason === 'expired')
      ) {
        setVerification(null);
        setCode('');
      }
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const name = kyc.data?.realName?.name;
  return (
    <Page title={t('money.bind.title')} backTo="/cards">
      <p className="page-intro">{name ? t('money.bind.intro', { name }) : t('money.bind.introNoName')}</p>
      <form
        className="money-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void (verification ? bind() : sendCode());
        }}
      >
        <div className="money-card">
          <label className="money-field">
            <span className="money-field-label">{t('money.bind.cardNumber')}</span>
            <Input
              className="money-field-input"
              inputMode="numeric"
              autoComplete="cc-number"
              placeholder={t('money.bind.cardNumberPlaceholder')}
              value={cardNumber}
              disabled={verification !== null}
              onChange={(value) => setCardNumber(value.replace(/[^\d ]/g, '').slice(0, 23))}
            />
          </label>
          {luhn === null ? null : (
            <p className={luhn ? 'field-hint ok-hint' : 'field-hint warn'} data-testid="luhn-hint">
              {luhn ? `✓ ${t('money.bind.luhnOk')}` : t('money.bind.luhnBad')}
            </p>
          )}
          <label className="money-field">
            <span className="money-field-label">{t('money.bind.phone')}</span>
            <Input
              className="money-field-input"
              type="tel"
              inputMode="tel"
              placeholder={t('money.bind.phonePlaceholder')}
              value={phone}
              disabled={verification !== null}
              onChange={setPhone}
              maxLength={16}
            />
          </label>
          {verification ? (
            <>
              <p className="field-hint ok-hint" data-testid="card-verified">
                {bankNameOf(verification.card.bankName, i18n.language)}{' '}
                {t(`money.cardsPage.${verification.card.cardType}`)} {verification.card.maskedNumber}
                <br />
                {t('money.bind.codeSentTo', { bank: bankNameOf(verification.card.bankName, i18n.language) })}
              </p>
              <label className="money-field">
                <span className="money-field-label">{t('money.bind.code')}</span>
                <Input
                  className="money-field-input"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  placeholder={t('money.bind.codePlaceholder')}
                  value={code}
                  onChange={(value) => setCode(value.replace(/\D/g, '').slice(0, 6))}
                />
              </label>
              {sandbox.data ? (
                <p className="sandbox-hint">
                  <a
                    href={`/dev/bank/sms.json?cardLast4=${verification.card.last4}`}
                    target="_blank"
                    rel="noopener"
                  >
                    {t('money.bind.sandboxHint')}
                  </a>
                </p>
              ) : null}
            </>
          ) : null}
        </div>
        <div className="money-buttons">
          <FormError message={problem} />
          <MoneyError error={error} />
          <Button block type="submit" color="primary" size="large" shape="rounded" loading={busy}>
            {verification ? t('money.bind.submit') : t('money.bind.sendCode')}
          </Button>
          {verification ? (
            <button
              type="button"
              className="text-button"
              onClick={() => {
                setVerification(null);
                setCode('');
                setError(null);
              }}
            >
              {t('money.bind.startOver')}
            </button>
          ) : null}
        </div>
      </form>
    </Page>
  );
}
