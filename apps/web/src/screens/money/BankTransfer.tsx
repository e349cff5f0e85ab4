import { useQuery } from '@tanstack/react-query';
import { Button, Input } from 'antd-mobile';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { isApiError } from '../../api/client.ts';
import { bankNameOf, fetchBanks, parseYuan, refusalError } from '../../api/money.ts';
import type { BankAccountInput, Confirmation, Factor } from '../../api/money.ts';
import { FormError } from '../../components/FormBits.tsx';
import { ConfirmSheet } from '../../components/money/ConfirmSheet.tsx';
import { Page } from '../../components/Page.tsx';
import { formatDateTime, formatMoney } from '../../lib/format.ts';
import {
  AmountInput,
  NoteField,
  BankBadge,
  DetailRows,
  MoneyError,
  resultOf,
  usePayment,
  useRefreshMoney,
} from './parts.tsx';

/** Digits only: what the holder typed, without the spaces that group it. */
function accountDigits(text: string): string {
  return text.replace(/[\s-]/g, '');
}

/** `6222 0212 3456 7894`: groups of four, as printed on a card. */
function groupDigits(text: string): string {
  return accountDigits(text)
    .replace(/\D/g, '')
    .slice(0, 32)
    .replace(/(\d{4})(?=\d)/g, '$1 ');
}

/**
 * 转账到银行卡: to an account of any bank — the bank, the account number and the holder's name,
 * the amount and a note; then the fee, the total and the masked name to check; then the PIN (or a
 * passkey bound to this transfer); then the status page, which follows the bank: processing →
 * succeeded, or failed and refunded.
 */
export function BankTransfer() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const refresh = useRefreshMoney();
  const banks = useQuery({ queryKey: ['banks'], queryFn: fetchBanks, staleTime: 3_600_000 });
  const [bankCode, setBankCode] = useState('');
  const [number, setNumber] = useState('');
  const [name, setName] = useState('');
  const [amountText, setAmountText] = useState('');
  const [note, setNote] = useState('');
  const [fieldProblem, setFieldProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [sheet, setSheet] = useState<Factor[] | null>(null);
  // The payment, as quoted: the fee, the total, the masked account, the arrival, any refusal.
  const transfer = usePayment('bank_transfer');
  const quote = transfer.payment;
  const amount = parseYuan(amountText);
  const account: BankAccountInput = {
    bankCode,
    accountNumber: accountDigits(number),
    accountName: name.trim(),
  };
  const money = (value: Parameters<typeof formatMoney>[0]) => formatMoney(value, i18n.language);

  const onPreview = async () => {
    setError(null);
    const problem =
      bankCode === ''
        ? t('money.bankTransfer.chooseBank')
        : !/^\d{8,32}$/.test(account.accountNumber)
          ? t('money.bankTransfer.numberInvalid')
          : account.accountName.length < 2
            ? t('money.bankTransfer.nameRequired')
            : !amount
              ? t('money.amountInvalid')
              : null;
    setFieldProblem(problem);
    if (problem || !amount) return;
    setLoading(true);
    try {
      await transfer.create({ ...account, amount, ...(note.trim() ? { note: note.trim() } : {}) });
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  };

  const send = async (confirmation: Confirmation) => {
    try {
      const result = resultOf(await transfer.confirm(confirmation));
      refresh();
      setSheet(null);
      void navigate(`/funding/${result.id}`, { replace: true, state: result });
    } catch (failure) {
      // The bank refused it at once: the money is already back; its page says so.
      const fundingId = isApiError(failure, 'FUNDING_DECLINED') ? failure.details.fundingId : undefined;
      if (typeof fundingId === 'string') {
        refresh();
        setSheet(null);
        void navigate(`/funding/${fundingId}`, { replace: true });
        return;
      }
      throw failure;
    }
  };

  if (quote && amount) {
    const shown = { ...quote, ...quote.details };
    const bankName = bankNameOf(shown.account.bankName, i18n.language);
    // What would refuse it now (a limit, a balance short of amount + fee): no PIN is asked for then.
    const refusal = refusalError(shown.refusal);
    return (
      <Page title={t('money.bankTransfer.previewTitle')} backTo="/bank-transfer">
        <section className="money-card preview-card" aria-labelledby="bank-preview-payee">
          <p className="preview-to">{t('money.bankTransfer.payee')}</p>
          {/* The name as the holder typed it (their own input); the bank checks it. */}
          <p id="bank-preview-payee" className="preview-payee" data-testid="bank-payee">
            {account.accountName}
          </p>
          <p className="bank-preview-account">
            <BankBadge code={shown.account.bankCode} />
            <span data-testid="bank-account">
              {bankName} {shown.account.maskedNumber}
            </span>
          </p>
          <p className="preview-amount amount" data-testid="preview-amount">
            {money(shown.amount)}
          </p>
          <DetailRows
            rows={[
              { label: t('money.fee'), value: money(shown.fee), testId: 'bank-fee' },
              {
                label: t('money.bankTransfer.totalOut'),
                value: money(shown.total),
                testId: 'bank-total',
                strong: true,
              },
              {
                label: t('money.bankTransfer.arrives'),
                value: t('money.funding.arrives', { time: formatDateTime(shown.arrives, i18n.language) }),
              },
              ...(note.trim() ? [{ label: t('money.note'), value: note.trim() }] : []),
            ]}
          />
        </section>
        <p className="page-intro">{t('money.bankTransfer.checkName')}</p>
        <div className="money-buttons">
          <MoneyError error={error ?? refusal} />
          <Button
            block
            color="primary"
            size="large"
            shape="rounded"
            disabled={refusal !== null}
            onClick={() => {
              setError(null);
              setSheet(shown.confirmation.accepted.filter((factor) => factor !== 'none'));
            }}
          >
            {t('money.bankTransfer.submit')}
          </Button>
          <button type="button" className="text-button" onClick={() => transfer.discard()}>
            {t('money.bankTransfer.edit')}
          </button>
        </div>
        <ConfirmSheet
          visible={sheet !== null}
          title={t('money.bankTransfer.sheetTitle', {
            name: account.accountName,
            account: `${bankName} ${shown.account.maskedNumber}`,
          })}
          amount={shown.total}
          accepted={sheet ?? ['pin']}
          paymentToSign={transfer.paymentToSign}
          onConfirm={send}
          onFailed={(failure) => {
            setSheet(null);
            setError(failure);
          }}
          onClose={() => setSheet(null)}
        />
      </Page>
    );
  }

  return (
    <Page title={t('money.bankTransfer.title')} backTo="/">
      <form
        className="money-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void onPreview();
        }}
      >
        <div className="money-card">
          <label className="money-field">
            <span className="money-field-label">{t('money.bankTransfer.bank')}</span>
            <select
              className="money-select"
              value={bankCode}
              onChange={(event) => setBankCode(event.target.value)}
              disabled={!banks.data}
            >
              <option value="">
                {banks.isError
                  ? t('money.bankTransfer.banksFailed')
                  : t('money.bankTransfer.bankPlaceholder')}
              </option>
              {banks.data?.map((bank) => (
                <option key={bank.code} value={bank.code}>
                  {bankNameOf(bank.name, i18n.language)}
                </option>
              ))}
            </select>
          </label>
          <label className="money-field">
            <span className="money-field-label">{t('money.bankTransfer.accountNumber')}</span>
            <Input
              className="money-field-input mono-input"
              inputMode="numeric"
              autoComplete="off"
              placeholder={t('money.bankTransfer.accountNumberPlaceholder')}
              value={number}
              onChange={(value) => setNumber(groupDigits(value))}
              maxLength={40}
            />
          </label>
          <label className="money-field">
            <span className="money-field-label">{t('money.bankTransfer.accountName')}</span>
            <Input
              className="money-field-input"
              autoComplete="off"
              placeholder={t('money.bankTransfer.accountNamePlaceholder')}
              value={name}
              onChange={setName}
              maxLength={30}
            />
          </label>
        </div>
        <div className="money-card">
          <label className="money-amount-field">
            <span className="money-field-label">{t('money.amount')}</span>
            <AmountInput label={t('money.amount')} value={amountText} onChange={setAmountText} />
          </label>
          <p className="field-hint">{t('money.bankTransfer.feeHint')}</p>
          <NoteField value={note} onChange={setNote} />
        </div>
        <div className="money-buttons">
          <FormError message={fieldProblem} />
          <MoneyError error={error} />
          <Button block type="submit" color="primary" size="large" shape="rounded" loading={loading}>
            {t('money.next')}
          </Button>
        </div>
      </form>
    </Page>
  );
}
