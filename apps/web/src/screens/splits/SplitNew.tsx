import { Button, Input, Switch } from 'antd-mobile';
import type { MoneyJson } from '@qianbao/money';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { ApiError } from '../../api/client.ts';
import { newIdempotencyKey, parseYuan } from '../../api/money.ts';
import {
  MAX_PEOPLE,
  MAX_TITLE_LENGTH,
  MAX_TOTAL_FEN,
  createSplit,
  equalShares,
  splitsKey,
} from '../../api/splits.ts';
import type { SplitRequest } from '../../api/splits.ts';
import { queryClient, useMe } from '../../auth/session.ts';
import { FormError } from '../../components/FormBits.tsx';
import { Page } from '../../components/Page.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { formatMoney, isMainlandMobile, normalisePhone } from '../../lib/format.ts';
import { AmountInput } from '../money/parts.tsx';
import { SplitError } from './parts.tsx';

type How = 'equal' | 'custom';
type Who = 'link' | 'named';

interface Row {
  key: number;
  phone: string;
  amount: string;
}

const fen = (amount: bigint): MoneyJson => ({ amount: amount.toString(), currency: 'CNY' });
const fenOf = (text: string): bigint | null => {
  const parsed = parseYuan(text);
  return parsed ? BigInt(parsed.amount) : null;
};

/**
 * 发起 AA 收款: what the bill is for, the total, equal or custom shares, whether the organiser
 * takes a share ("我也分摊一份", on by default), and who pays — anyone with the link (a number
 * of people) or named people by mobile number, rows added and removed, each with an amount when
 * the shares are custom. While typing it says each one's share, or how far the amounts are from
 * the total; everything is checked before sending, and the server's refusals are said in words.
 * Creating moves no money: the split's page follows, with its link and QR code to share.
 */
export function SplitNew() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const me = useMe();
  const [title, setTitle] = useState('');
  const [amountText, setAmountText] = useState('');
  const [how, setHow] = useState<How>('equal');
  const [who, setWho] = useState<Who>('named');
  const [includeMe, setIncludeMe] = useState(true);
  const [peopleText, setPeopleText] = useState('');
  const [rows, setRows] = useState<Row[]>([{ key: 0, phone: '', amount: '' }]);
  const [myAmountText, setMyAmountText] = useState('');
  // After a first try, what is still wrong is said live (and goes once it is fixed).
  const [tried, setTried] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const nextKey = useRef(1);
  // The key of the attempt: kept for a retry the server never answered, else new.
  const key = useRef<string | null>(null);

  const money = (value: bigint) => formatMoney(fen(value), i18n.language);
  const totalFen = fenOf(amountText);
  const people =
    who === 'link'
      ? /^\d{1,4}$/.test(peopleText)
        ? Number(peopleText)
        : null
      : rows.length + (includeMe ? 1 : 0);
  const minPeople = includeMe ? 2 : 1;
  const custom = how === 'custom' && who === 'named';
  const sharesFen = rows.map((row) => fenOf(row.amount));
  const myFen = custom && includeMe ? fenOf(myAmountText) : null;
  const sumFen = sharesFen.reduce<bigint>((sum, value) => sum + (value ?? 0n), 0n) + (myFen ?? 0n);

  const totalProblem =
    totalFen !== null && totalFen > MAX_TOTAL_FEN
      ? t('splits.problems.totalTooLarge', { max: money(MAX_TOTAL_FEN) })
      : null;

  /** Equal: what each pays; custom: how far the amounts are from the total. */
  const summary = (): { text: string; tone: 'ok' | 'off' | 'plain' } | null => {
    if (totalFen === null) return null;
    if (custom) {
      const typedAny = sharesFen.some((value) => value !== null) || myFen !== null;
      if (!typedAny) return null;
      const difference = totalFen - sumFen;
      if (difference === 0n) return { text: t('splits.sumExact', { sum: money(sumFen) }), tone: 'ok' };
      return difference > 0n
        ? { text: t('splits.sumShort', { sum: money(sumFen), difference: money(difference) }), tone: 'off' }
        : { text: t('splits.sumOver', { sum: money(sumFen), difference: money(-difference) }), tone: 'off' };
    }
    if (people === null || people < minPeople || people > MAX_PEOPLE) return null;
    if (totalFen < BigInt(people)) {
      return {
        text: t('splits.problems.tooSmall', { count: people, min: money(BigInt(people)) }),
        tone: 'off',
      };
    }
    const { high, low, highCount } = equalShares(totalFen, people);
    const each =
      highCount === 0
        ? t('splits.eachEqual', { amount: money(low) })
        : t('splits.eachUneven', { highCount, high: money(high), low: money(low) });
    const others = includeMe ? totalFen - high : totalFen;
    return { text: `${each} · ${t('splits.othersPay', { amount: money(others) })}`, tone: 'plain' };
  };
  const said = summary();

  /** Everything the server would refuse that the screen can know, in words; null when it is fine. */
  const check = (): string | null => {
    if (!title.trim()) return t('splits.problems.title');
    if (totalFen === null) return t('splits.problems.amount');
    if (totalProblem) return totalProblem;
    if (who === 'link') {
      if (people === null || people < minPeople) {
        return t('splits.problems.people', { min: minPeople, max: MAX_PEOPLE });
      }
    } else {
      if (rows.length === 0) return t('splits.problems.noParticipants');
      const seen = new Set<string>();
      const own = me.data?.phone ? normalisePhone(me.data.phone) : null;
      for (const [index, row] of rows.entries()) {
        if (!isMainlandMobile(row.phone)) return t('splits.problems.phone', { index: index + 1 });
        const phone = normalisePhone(row.phone);
        if (own && phone === own) return t('splits.problems.self');
        if (seen.has(phone)) return t('splits.problems.duplicate', { phone });
        seen.add(phone);
      }
    }
    if (people !== null && people > MAX_PEOPLE) return t('splits.problems.tooMany', { max: MAX_PEOPLE });
    if (custom) {
      const missing = sharesFen.findIndex((value) => value === null);
      if (missing >= 0) return t('splits.problems.share', { index: missing + 1 });
      if (includeMe && myFen === null) return t('splits.problems.myShare');
      if (sumFen !== totalFen) {
        return t('splits.problems.mismatch', { sum: money(sumFen), total: money(totalFen) });
      }
    } else if (people !== null && totalFen < BigInt(people)) {
      return t('splits.problems.tooSmall', { count: people, min: money(BigInt(people)) });
    }
    return null;
  };

  const requestOf = (): SplitRequest => {
    const common = { title: title.trim(), amount: fen(totalFen ?? 0n), split: how, includeMe };
    if (who === 'link') return { ...common, split: 'equal', people: people ?? 0 };
    return {
      ...common,
      split: custom ? 'custom' : 'equal',
      participants: rows.map((row, index) => ({
        phone: normalisePhone(row.phone),
        ...(custom ? { amount: fen(sharesFen[index] ?? 0n) } : {}),
      })),
      ...(custom && includeMe ? { myAmount: fen(myFen ?? 0n) } : {}),
    };
  };

  const submit = async () => {
    setError(null);
    setTried(true);
    if (check()) return;
    key.current ??= newIdempotencyKey();
    setBusy(true);
    try {
      const split = await createSplit(requestOf(), key.current);
      key.current = null;
      void queryClient.invalidateQueries({ queryKey: splitsKey });
      void navigate(`/splits/mine/${split.id}?created=1`, { replace: true });
    } catch (failure) {
      const retryable = failure instanceof ApiError && (failure.status === 0 || failure.status >= 500);
      if (!retryable) key.current = null;
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const setRow = (index: number, change: Partial<Row>) =>
    setRows((current) => current.map((row, at) => (at === index ? { ...row, ...change } : row)));

  return (
    <Page title={t('splits.newTitle')} backTo="/splits">
      <form
        className="money-form sp-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <div className="money-card">
          <label className="money-field">
            <span className="money-field-label">{t('splits.titleLabel')}</span>
            <Input
              className="money-field-input"
              placeholder={t('splits.titlePlaceholder')}
              value={title}
              onChange={setTitle}
              maxLength={MAX_TITLE_LENGTH}
            />
          </label>
          <label className="money-amount-field">
            <span className="money-field-label">{t('splits.totalLabel')}</span>
            <AmountInput
              label={t('splits.totalLabel')}
              value={amountText}
              onChange={setAmountText}
              problem={totalProblem}
            />
            <span className="field-hint">{t('splits.maxHint')}</span>
          </label>
        </div>
        <div className="money-card">
          <Segmented
            label={t('splits.whoLabel')}
            name="sp-who"
            value={who}
            options={[
              { value: 'named', label: t('splits.byPhone'), hint: t('splits.byPhoneHint') },
              { value: 'link', label: t('splits.byLink'), hint: t('splits.byLinkHint') },
            ]}
            onChange={(value) => {
              setWho(value);
              if (value === 'link') setHow('equal');
            }}
          />
          {who === 'named' ? (
            <Segmented
              label={t('splits.howLabel')}
              name="sp-how"
              value={how}
              options={[
                { value: 'equal', label: t('splits.equal'), hint: t('splits.equalHint') },
                { value: 'custom', label: t('splits.custom'), hint: t('splits.customHint') },
              ]}
              onChange={setHow}
            />
          ) : null}
          <div className="sp-switch-row">
            <span className="sp-switch-text">
              <span id="sp-include-me">{t('splits.includeMe')}</span>
              <span className="field-hint">{t('splits.includeMeHint')}</span>
            </span>
            <Switch checked={includeMe} onChange={setIncludeMe} aria-labelledby="sp-include-me" />
          </div>
          {custom && includeMe ? (
            <label className="money-field sp-my-amount">
              <span className="money-field-label">{t('splits.myShareLabel')}</span>
              <span className="sp-person-amount">
                <span aria-hidden="true">¥</span>
                <input
                  inputMode="decimal"
                  placeholder="0.00"
                  value={myAmountText}
                  onChange={(event) =>
                    setMyAmountText(event.target.value.replace(/[^\d.]/g, '').slice(0, 12))
                  }
                />
              </span>
            </label>
          ) : null}
          {who === 'link' ? (
            <label className="money-field">
              <span className="money-field-label">
                {includeMe ? t('splits.peopleIncludingMe') : t('splits.people')}
              </span>
              <Input
                className="money-field-input"
                inputMode="numeric"
                placeholder={t('splits.peoplePlaceholder')}
                value={peopleText}
                onChange={(value) => setPeopleText(value.replace(/\D/g, '').slice(0, 4))}
              />
              {t('splits.peopleUnit') ? <span className="sp-unit">{t('splits.peopleUnit')}</span> : null}
            </label>
          ) : (
            <fieldset className="sp-people-field">
              <legend className="money-field-label">{t('splits.participants')}</legend>
              <ol className="sp-people">
                {rows.map((row, index) => (
                  <li key={row.key} className="sp-person">
                    <span className="sp-person-index" aria-hidden="true">
                      {index + 1}
                    </span>
                    <span className="sp-person-phone">
                      <input
                        type="tel"
                        inputMode="tel"
                        autoComplete="off"
                        aria-label={t('splits.phoneLabel', { index: index + 1 })}
                        placeholder={t('splits.phonePlaceholder')}
                        value={row.phone}
                        maxLength={16}
                        onChange={(event) => setRow(index, { phone: event.target.value })}
                      />
                    </span>
                    {custom ? (
                      <span className="sp-person-amount">
                        <span aria-hidden="true">¥</span>
                        <input
                          inputMode="decimal"
                          aria-label={t('splits.shareLabel', { index: index + 1 })}
                          placeholder="0.00"
                          value={row.amount}
                          onChange={(event) =>
                            setRow(index, { amount: event.target.value.replace(/[^\d.]/g, '').slice(0, 12) })
                          }
                        />
                      </span>
                    ) : null}
                    <button
                      type="button"
                      className="sp-remove"
                      aria-label={t('splits.removePerson', { index: index + 1 })}
                      disabled={rows.length === 1}
                      onClick={() => setRows((current) => current.filter((_, at) => at !== index))}
                    >
                      ×
                    </button>
                  </li>
                ))}
              </ol>
              <button
                type="button"
                className="sp-add"
                disabled={rows.length + (includeMe ? 1 : 0) >= MAX_PEOPLE}
                onClick={() => {
                  setRows((current) => [...current, { key: nextKey.current, phone: '', amount: '' }]);
                  nextKey.current += 1;
                }}
              >
                + {t('splits.addPerson')}
              </button>
            </fieldset>
          )}
          {said ? (
            <p className={`sp-sum ${said.tone}`} data-testid="sp-summary" aria-live="polite">
              {said.text}
            </p>
          ) : null}
        </div>
        <div className="sp-summary">
          <p className="sp-summary-total amount" data-testid="sp-total">
            {money(totalFen ?? 0n)}
          </p>
        </div>
        <div className="money-buttons">
          <FormError message={tried ? check() : null} />
          <SplitError error={error} />
          <Button block type="submit" color="primary" size="large" shape="rounded" loading={busy}>
            {t('splits.submit')}
          </Button>
        </div>
      </form>
    </Page>
  );
}
