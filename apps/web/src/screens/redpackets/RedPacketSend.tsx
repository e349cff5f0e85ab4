import { Button, Input, TextArea } from 'antd-mobile';
import type { MoneyJson } from '@qianbao/money';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { isApiError } from '../../api/client.ts';
import { newIdempotencyKey, parseYuan, refusalError } from '../../api/money.ts';
import type { Confirmation, Factor, PaymentToConfirm } from '../../api/money.ts';
import {
  MAX_GREETING_LENGTH,
  MAX_SHARE_FEN,
  MAX_SHARES,
  RED_PACKET_COVERS,
  previewRedPacket,
  redPacketsKey,
  sendRedPacket,
} from '../../api/red-packets.ts';
import type { RedPacketCover, RedPacketPreview, RedPacketRequest } from '../../api/red-packets.ts';
import { queryClient } from '../../auth/session.ts';
import { FormError } from '../../components/FormBits.tsx';
import { Page } from '../../components/Page.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { ConfirmSheet } from '../../components/money/ConfirmSheet.tsx';
import { useConfirmAttempt } from '../../components/money/useConfirmAttempt.ts';
import { formatMoney, isMainlandMobile, normalisePhone } from '../../lib/format.ts';
import { AmountInput, DetailRows, useRefreshMoney } from '../money/parts.tsx';
import { Envelope, RedPacketError, splitLabel } from './parts.tsx';

type Kind = 'group' | 'single';
type Split = 'lucky' | 'equal';

/** What the server writes on a packet sent without a greeting. */
const DEFAULT_GREETING = '恭喜发财，大吉大利';

const fen = (amount: bigint): MoneyJson => ({ amount: amount.toString(), currency: 'CNY' });

/**
 * 发红包: to one person by mobile number (a fixed amount), or to a group by a link — lucky
 * (拼手气: a total split at random) or equal (普通: an amount each) — with a greeting and one of
 * the built-in covers. What the limits refuse is said while typing; the server's preview then says
 * what would refuse it now (limits, balance) before any PIN. Confirmed with the PIN or a passkey
 * in the confirmation sheet, through the risk step-up when asked, under one Idempotency-Key per
 * attempt (a new one after a refusal, which the server keeps for its key).
 */
export function RedPacketSend() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const refresh = useRefreshMoney();
  const [kind, setKind] = useState<Kind>('group');
  const [split, setSplit] = useState<Split>('lucky');
  const [phone, setPhone] = useState('');
  const [countText, setCountText] = useState('');
  const [amountText, setAmountText] = useState('');
  const [greeting, setGreeting] = useState('');
  const [cover, setCover] = useState<RedPacketCover>('classic');
  const [step, setStep] = useState<'form' | 'preview'>('form');
  const [preview, setPreview] = useState<RedPacketPreview | null>(null);
  const [fieldProblem, setFieldProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(false);
  const [sheet, setSheet] = useState<Factor[] | null>(null);
  // The Idempotency-Key of the holder's current attempt, and the key the preview's `payment` is for.
  const attempt = useConfirmAttempt();
  const key = attempt.key;
  const previewedFor = useRef<string | null>(null);
  const request = useRef<RedPacketRequest | null>(null);

  const money = (value: MoneyJson | null | undefined) => formatMoney(value, i18n.language);
  const typed = parseYuan(amountText);
  const count = kind === 'single' ? 1 : /^\d{1,4}$/.test(countText) ? Number(countText) : null;
  // Equal: the amount typed is each share's; lucky: the whole packet's.
  const totalFen =
    typed && count
      ? kind === 'group' && split === 'equal'
        ? BigInt(typed.amount) * BigInt(count)
        : BigInt(typed.amount)
      : null;

  /** What the limits refuse, said as the holder types (the server checks again). */
  const liveProblem = (): string | null => {
    if (kind === 'group' && countText !== '') {
      if (count === null || count < 1) return t('redPackets.problems.count');
      if (count > MAX_SHARES) return t('redPackets.problems.tooMany');
    }
    if (!typed) return null;
    const max = money(fen(MAX_SHARE_FEN));
    if (kind === 'single' || split === 'equal') {
      if (BigInt(typed.amount) > MAX_SHARE_FEN) return t('redPackets.problems.shareTooLarge', { max });
      return null;
    }
    if (count && BigInt(typed.amount) > MAX_SHARE_FEN * BigInt(count)) {
      return t('redPackets.problems.shareTooLarge', { max });
    }
    if (count && BigInt(typed.amount) < BigInt(count)) {
      return t('redPackets.problems.totalTooSmall', { count, min: money(fen(BigInt(count))) });
    }
    return null;
  };
  const problem = liveProblem();

  const requestOf = (): RedPacketRequest | null => {
    if (!typed || !count || totalFen === null) return null;
    const extras = {
      ...(greeting.trim() ? { greeting: greeting.trim() } : {}),
      cover,
    };
    if (kind === 'single') return { kind, toPhone: normalisePhone(phone), amount: typed, ...extras };
    return { kind, split, count, amount: fen(totalFen), ...extras };
  };

  const quote = async (forKey: string): Promise<RedPacketPreview> => {
    if (!request.current) throw new Error('no red packet to preview');
    const quoted = await previewRedPacket(request.current, forKey);
    previewedFor.current = forKey;
    setPreview(quoted);
    return quoted;
  };

  const onPreview = async () => {
    setError(null);
    if (kind === 'single' && !isMainlandMobile(phone)) {
      setFieldProblem(t('redPackets.problems.phone'));
      return;
    }
    if (kind === 'group' && (count === null || count < 1 || count > MAX_SHARES)) {
      setFieldProblem(
        count !== null && count > MAX_SHARES
          ? t('redPackets.problems.tooMany')
          : t('redPackets.problems.count'),
      );
      return;
    }
    if (!typed) {
      setFieldProblem(t('redPackets.problems.amount'));
      return;
    }
    if (problem) {
      setFieldProblem(problem);
      return;
    }
    setFieldProblem(null);
    request.current = requestOf();
    key.current = newIdempotencyKey();
    setLoading(true);
    try {
      await quote(key.current);
      setStep('preview');
    } catch (failure) {
      setError(failure);
    } finally {
      setLoading(false);
    }
  };

  /** What a passkey signs: the preview's `payment`, quoted again for a new attempt's key. */
  const paymentToSign = async (): Promise<PaymentToConfirm> => {
    key.current ??= newIdempotencyKey();
    const quoted = previewedFor.current === key.current && preview ? preview : await quote(key.current);
    if (!quoted.payment) throw new Error('the preview named no payment');
    return quoted.payment;
  };

  const send = async (confirmation: Confirmation) => {
    const sending = request.current;
    if (!sending) return;
    await attempt.run(async (idempotencyKey) => {
      const packet = await sendRedPacket(sending, idempotencyKey, confirmation);
      setSheet(null);
      refresh();
      void queryClient.invalidateQueries({ queryKey: redPacketsKey });
      void navigate(`/red-packets/sent/${packet.id}?sent=1`, { replace: true });
    });
  };

  const onConfirm = async () => {
    if (!preview) return;
    setError(null);
    const { factor, accepted } = preview.confirmation;
    if (factor !== 'none') {
      setSheet(accepted.filter((item) => item !== 'none'));
      return;
    }
    setLoading(true);
    try {
      await send({});
    } catch (failure) {
      if (isApiError(failure, 'FACTOR_NOT_ACCEPTED')) setSheet(['pin']);
      else setError(failure);
    } finally {
      setLoading(false);
    }
  };

  if (step === 'preview' && preview) {
    const refusal = refusalError(preview.refusal);
    const sheetTitle = preview.recipient
      ? t('redPackets.sheetTitleSingle', { name: preview.recipient.displayName })
      : t('redPackets.sheetTitleGroup', { split: splitLabel(preview.split), count: preview.shareCount });
    return (
      <Page title={t('redPackets.previewTitle')} backTo="/red-packets/new">
        <section className="money-card preview-card rp-preview" aria-labelledby="rp-preview-to">
          <p className="preview-to">{t('redPackets.previewTo')}</p>
          <p id="rp-preview-to" className="preview-payee" data-testid="rp-preview-to">
            {preview.recipient ? preview.recipient.displayName : t('redPackets.previewGroup')}
          </p>
          <p className="preview-amount amount" data-testid="rp-preview-total">
            {money(preview.total)}
          </p>
          <DetailRows
            rows={[
              { label: t('redPackets.splitLabel'), value: splitLabel(preview.split) },
              ...(preview.recipient
                ? []
                : [
                    {
                      label: t('redPackets.count'),
                      value: t('redPackets.shares', { count: preview.shareCount }),
                      testId: 'rp-preview-count',
                    },
                  ]),
              ...(preview.share && !preview.recipient
                ? [{ label: t('redPackets.shareAmount'), value: money(preview.share) }]
                : []),
              { label: t('redPackets.greeting'), value: request.current?.greeting ?? DEFAULT_GREETING },
              { label: t('redPackets.cover'), value: t(`redPackets.covers.${cover}`) },
              { label: t('money.fee'), value: t('money.free') },
            ]}
          />
        </section>
        <p className="page-intro">{t('redPackets.expiryNote')}</p>
        <div className="money-buttons">
          <RedPacketError error={error ?? refusal} />
          <Button
            block
            color="primary"
            size="large"
            shape="rounded"
            disabled={refusal !== null}
            loading={loading}
            onClick={() => void onConfirm()}
          >
            {t('redPackets.confirmButton')}
          </Button>
          <button
            type="button"
            className="text-button"
            onClick={() => {
              setError(null);
              setStep('form');
            }}
          >
            {t('redPackets.edit')}
          </button>
        </div>
        <ConfirmSheet
          visible={sheet !== null}
          title={sheetTitle}
          amount={preview.total}
          accepted={sheet ?? ['pin']}
          paymentToSign={paymentToSign}
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
    <Page title={t('redPackets.sendTitle')} backTo="/red-packets">
      <form
        className="money-form rp-form"
        onSubmit={(event) => {
          event.preventDefault();
          void onPreview();
        }}
        noValidate
      >
        <Segmented
          label={t('redPackets.sendTitle')}
          name="rp-kind"
          hideLegend
          className="rp-segmented-wide"
          value={kind}
          options={[
            { value: 'group', label: t('redPackets.kindGroup') },
            { value: 'single', label: t('redPackets.kindSingle') },
          ]}
          onChange={(value) => {
            setKind(value);
            setFieldProblem(null);
          }}
        />
        <div className="money-card">
          {kind === 'single' ? (
            <label className="money-field">
              <span className="money-field-label">{t('redPackets.toPhone')}</span>
              <Input
                className="money-field-input"
                type="tel"
                inputMode="tel"
                autoComplete="off"
                placeholder={t('redPackets.toPhonePlaceholder')}
                value={phone}
                onChange={setPhone}
                maxLength={16}
              />
            </label>
          ) : (
            <>
              <Segmented
                label={t('redPackets.splitLabel')}
                name="rp-split"
                value={split}
                hideLegend
                options={[
                  { value: 'lucky', label: t('redPackets.lucky'), hint: t('redPackets.luckyHint') },
                  { value: 'equal', label: t('redPackets.equal'), hint: t('redPackets.equalHint') },
                ]}
                onChange={setSplit}
              />
              <label className="money-field">
                <span className="money-field-label">{t('redPackets.count')}</span>
                <Input
                  className="money-field-input rp-count-input"
                  inputMode="numeric"
                  placeholder={t('redPackets.countPlaceholder')}
                  value={countText}
                  onChange={(value) => setCountText(value.replace(/\D/g, '').slice(0, 4))}
                />
                {t('redPackets.countUnit') ? (
                  <span className="rp-unit">{t('redPackets.countUnit')}</span>
                ) : null}
              </label>
            </>
          )}
          <label className="money-amount-field">
            <span className="money-field-label">
              {kind === 'single'
                ? t('redPackets.amount')
                : split === 'equal'
                  ? t('redPackets.shareAmount')
                  : t('redPackets.totalAmount')}
            </span>
            <AmountInput
              label={t('redPackets.amount')}
              value={amountText}
              onChange={setAmountText}
              problem={problem}
            />
            <span className="field-hint">
              {kind === 'single' ? t('redPackets.singleMaxHint') : t('redPackets.maxHint')}
            </span>
          </label>
          <label className="money-field note-field">
            <span className="money-field-label">{t('redPackets.greeting')}</span>
            <TextArea
              className="money-field-input"
              placeholder={t('redPackets.greetingPlaceholder')}
              value={greeting}
              onChange={setGreeting}
              maxLength={MAX_GREETING_LENGTH}
              rows={1}
              autoSize={{ minRows: 1, maxRows: 2 }}
            />
          </label>
        </div>
        <fieldset className="money-card rp-covers">
          <legend className="money-card-title">{t('redPackets.cover')}</legend>
          <div className="rp-cover-options">
            {RED_PACKET_COVERS.map((name) => (
              <label key={name} className={name === cover ? 'rp-cover-option selected' : 'rp-cover-option'}>
                <input
                  type="radio"
                  name="rp-cover"
                  value={name}
                  checked={name === cover}
                  onChange={() => setCover(name)}
                />
                <Envelope cover={name} small />
                <span>{t(`redPackets.covers.${name}`)}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <p className="rp-total amount" data-testid="rp-total" aria-live="polite">
          {money(fen(totalFen ?? 0n))}
        </p>
        <div className="money-buttons">
          <FormError message={fieldProblem} />
          <RedPacketError error={error} />
          <Button block type="submit" color="primary" size="large" shape="rounded" loading={loading}>
            {t('redPackets.stuff')}
          </Button>
        </div>
      </form>
    </Page>
  );
}
