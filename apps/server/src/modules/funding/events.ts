/**
 * The domain events of the funding module (outbox/, ADR 0015) and the notices they give. An
 * operation's terminal state — `funding.succeeded` or `funding.failed` — is appended in the
 * transaction of the state change itself (store.ts `transition`), so the state and its event
 * commit together; the inbox subscriber writes the holder's notice from it, texts as before.
 */
import { moneyPayload } from '../../outbox/index.ts';
import type { NewEvent, OutboxEvent } from '../../outbox/index.ts';
import { bankNameOf } from '../cards/index.ts';
import type { NoticeRenderers, NotificationInput } from '../notifications/index.ts';
import type { FundingKind, OperationRow } from './store.ts';

export const FUNDING_EVENTS = { succeeded: 'funding.succeeded', failed: 'funding.failed' } as const;

type MoneyJson = { amount: string; currency: string };

/** What a terminal funding event carries: enough for the notice and for later subscribers. */
export interface FundingEventPayload {
  [key: string]: string | null | MoneyJson;
  fundingId: string;
  kind: FundingKind;
  userId: string;
  amount: MoneyJson;
  fee: MoneyJson;
  /** Top-up and withdrawal: the card's last four digits. */
  cardLast4: string | null;
  /** Bank transfer: the bank, the account's last four digits and the masked name. */
  bankCode: string | null;
  accountLast4: string | null;
  accountNameMasked: string | null;
  /** Failed: the bank's reason, or the failure code. */
  reason: string | null;
}

/** The event of a terminal state; null for the states in between. */
export function fundingEventOf(row: OperationRow): NewEvent | null {
  if (row.state !== 'succeeded' && row.state !== 'failed') return null;
  const ok = row.state === 'succeeded';
  const reason =
    typeof row.failure_details?.reason === 'string' ? row.failure_details.reason : row.failure_code;
  const payload: FundingEventPayload = {
    fundingId: row.id,
    kind: row.kind,
    userId: row.user_id,
    amount: moneyPayload(row.amount_minor, row.currency),
    fee: moneyPayload(row.fee_minor, row.currency),
    cardLast4: row.card_last4,
    bankCode: row.account_bank_code,
    accountLast4: row.account_last4,
    accountNameMasked: row.account_name_masked,
    reason: ok ? null : reason,
  };
  return {
    type: ok ? FUNDING_EVENTS.succeeded : FUNDING_EVENTS.failed,
    aggregateType: 'funding_operation',
    aggregateId: row.id,
    payload,
    createdAt: row.updated_at,
  };
}

/** `¥1,234.56` for notification texts. */
export function yuan(minor: bigint): string {
  const sign = minor < 0n ? '-' : '';
  const abs = minor < 0n ? -minor : minor;
  const whole = (abs / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${whole}.${(abs % 100n).toString().padStart(2, '0')}`;
}

function outcomeNotice(event: OutboxEvent): NotificationInput {
  const p = event.payload as FundingEventPayload;
  const ok = event.type === FUNDING_EVENTS.succeeded;
  const amountMinor = BigInt(p.amount.amount);
  const feeMinor = BigInt(p.fee.amount);
  const amount = yuan(amountMinor);
  if (p.kind === 'bank_transfer') {
    const total = yuan(amountMinor + feeMinor);
    const bank = bankNameOf(p.bankCode!);
    const to = {
      zh: `${bank.zh}（尾号 ${p.accountLast4}）${p.accountNameMasked}`,
      en: `${p.accountNameMasked}, ${bank.en} account ending ${p.accountLast4}`,
    };
    return {
      kind: `funding.bank_transfer_${ok ? 'succeeded' : 'failed'}`,
      amountMinor,
      params: {
        fundingId: p.fundingId,
        amount: p.amount.amount,
        fee: p.fee.amount,
        currency: p.amount.currency,
        bankCode: p.bankCode,
        last4: p.accountLast4,
        reason: p.reason,
      },
      title: ok
        ? { 'zh-CN': '转账到银行卡成功', en: 'Bank transfer completed' }
        : { 'zh-CN': '转账到银行卡失败，已退款', en: 'Bank transfer failed and refunded' },
      body: ok
        ? { 'zh-CN': `${amount} 已转入${to.zh}。`, en: `${amount} reached ${to.en}.` }
        : {
            'zh-CN': `向${to.zh}转账 ${amount} 未成功，${total} 已退回钱包。`,
            en: `The transfer of ${amount} to ${to.en} failed; ${total} is back in your wallet.`,
          },
    };
  }
  const topUp = p.kind === 'top_up';
  const last4 = p.cardLast4;
  return {
    kind: `funding.${p.kind}_${ok ? 'succeeded' : 'failed'}`,
    amountMinor,
    params: {
      fundingId: p.fundingId,
      amount: p.amount.amount,
      fee: p.fee.amount,
      currency: p.amount.currency,
      last4,
      reason: p.reason,
    },
    title: topUp
      ? ok
        ? { 'zh-CN': '充值成功', en: 'Top-up completed' }
        : { 'zh-CN': '充值失败', en: 'Top-up failed' }
      : ok
        ? { 'zh-CN': '提现成功', en: 'Withdrawal completed' }
        : { 'zh-CN': '提现失败', en: 'Withdrawal failed' },
    body: topUp
      ? ok
        ? {
            'zh-CN': `已从尾号 ${last4} 的银行卡充值 ${amount}。`,
            en: `${amount} was added from your card ending ${last4}.`,
          }
        : {
            'zh-CN': `充值 ${amount} 未成功，资金未变动。`,
            en: `The top-up of ${amount} failed; no money moved.`,
          }
      : ok
        ? {
            'zh-CN': `${amount} 已提现至尾号 ${last4} 的银行卡。`,
            en: `${amount} was sent to your card ending ${last4}.`,
          }
        : {
            'zh-CN': `提现 ${amount} 未成功，资金已退回钱包。`,
            en: `The withdrawal of ${amount} failed; the money is back in your wallet.`,
          },
  };
}

/** The holder's notice of a finished top-up, withdrawal or bank transfer. */
export const FUNDING_NOTICES: NoticeRenderers = {
  [FUNDING_EVENTS.succeeded]: (event) => [
    { userId: (event.payload as FundingEventPayload).userId, notice: outcomeNotice(event) },
  ],
  [FUNDING_EVENTS.failed]: (event) => [
    { userId: (event.payload as FundingEventPayload).userId, notice: outcomeNotice(event) },
  ],
};
