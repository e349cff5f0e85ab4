/**
 * The domain events of the freeze module (outbox/, ADR 0015) and the notices they give. Each is
 * appended by store.ts in the transaction of its record: `freeze.frozen` with a new or tightened
 * freeze, `freeze.lifted` with its lift, `freeze.loss_reported` with the lost devices of a report.
 * All are events of the aggregate `freeze_holder` (the holder's user id): every transaction that
 * writes one locks the holder's live freeze row or inserts it first, so they keep their order.
 */
import type { NewEvent, OutboxEvent } from '../../outbox/index.ts';
import type { NotificationInput } from '../notifications/service.ts';
import type { NoticeRenderers } from '../notifications/index.ts';

export type FreezeMode = 'full' | 'receive_only';
export type FreezeSource = 'holder' | 'report_loss' | 'engine' | 'operator';

export const FREEZE_EVENTS = {
  frozen: 'freeze.frozen',
  lifted: 'freeze.lifted',
  lossReported: 'freeze.loss_reported',
} as const;

const AGGREGATE_TYPE = 'freeze_holder';

function holderEvent(type: string, userId: string, payload: NewEvent['payload'], at: Date): NewEvent {
  return { type, aggregateType: AGGREGATE_TYPE, aggregateId: userId, payload, createdAt: at };
}

export interface FrozenPayload {
  [key: string]: string | null;
  userId: string;
  freezeId: string;
  mode: FreezeMode;
  source: FreezeSource;
  /** The mode before, when a live freeze changed; null for a new freeze. */
  previousMode: FreezeMode | null;
}

export function frozen(input: {
  userId: string;
  freezeId: string;
  mode: FreezeMode;
  source: FreezeSource;
  previousMode: FreezeMode | null;
  at: Date;
}): NewEvent {
  const payload: FrozenPayload = {
    userId: input.userId,
    freezeId: input.freezeId,
    mode: input.mode,
    source: input.source,
    previousMode: input.previousMode,
  };
  return holderEvent(FREEZE_EVENTS.frozen, input.userId, payload, input.at);
}

export interface LiftedPayload {
  [key: string]: string;
  userId: string;
  freezeId: string;
  /** The freeze that ended. */
  mode: FreezeMode;
  source: FreezeSource;
  liftedBy: 'holder' | 'operator';
}

export function lifted(input: {
  userId: string;
  freezeId: string;
  mode: FreezeMode;
  source: FreezeSource;
  liftedBy: 'holder' | 'operator';
  at: Date;
}): NewEvent {
  const payload: LiftedPayload = {
    userId: input.userId,
    freezeId: input.freezeId,
    mode: input.mode,
    source: input.source,
    liftedBy: input.liftedBy,
  };
  return holderEvent(FREEZE_EVENTS.lifted, input.userId, payload, input.at);
}

export interface LossReportedPayload {
  [key: string]: string;
  userId: string;
  freezeId: string;
  /** Counts as decimal strings. */
  sessionsEnded: string;
  devicesLost: string;
  passkeysSuspended: string;
}

export function lossReported(input: {
  userId: string;
  freezeId: string;
  sessionsEnded: number;
  devicesLost: number;
  passkeysSuspended: number;
  at: Date;
}): NewEvent {
  const payload: LossReportedPayload = {
    userId: input.userId,
    freezeId: input.freezeId,
    sessionsEnded: String(input.sessionsEnded),
    devicesLost: String(input.devicesLost),
    passkeysSuspended: String(input.passkeysSuspended),
  };
  return holderEvent(FREEZE_EVENTS.lossReported, input.userId, payload, input.at);
}

// ---- the holder's notices, in zh-CN and en -------------------------------------------------

const HOW_TO_UNFREEZE = {
  'zh-CN': '解冻请在“安全中心 › 冻结钱包”中操作，需要短信验证码、身份证号，以及通行密钥或身份验证器。',
  en: 'To unfreeze, go to Security › Freeze wallet; you will need an SMS code, your ID number, and a passkey or an authenticator app.',
};

function frozenNotice(payload: FrozenPayload): NotificationInput | null {
  const full = payload.mode === 'full';
  const title = full
    ? { 'zh-CN': '钱包已冻结', en: 'Wallet frozen' }
    : { 'zh-CN': '钱包已设为只收不付', en: 'Wallet set to receive-only' };
  const what = full
    ? {
        'zh-CN': '付款、转账、提现和收款都已暂停',
        en: 'paying, transfers, withdrawals and incoming money are all stopped',
      }
    : {
        'zh-CN': '仍可收款，但不能付款、转账或提现',
        en: 'money can still come in, but nothing can be paid, transferred or withdrawn',
      };
  const params = { mode: payload.mode, source: payload.source };
  switch (payload.source) {
    case 'holder':
      return {
        kind: 'freeze.frozen',
        params,
        title,
        body: {
          'zh-CN': `您已冻结钱包：${what['zh-CN']}。${HOW_TO_UNFREEZE['zh-CN']}`,
          en: `You froze your wallet: ${what.en}. ${HOW_TO_UNFREEZE.en}`,
        },
      };
    case 'report_loss':
      return null; // the lost-phone report's own notice says it all
    case 'engine':
      return {
        kind: 'freeze.frozen',
        params,
        title,
        body: {
          'zh-CN': `为保护您的资金安全，系统已冻结您的钱包：${what['zh-CN']}。请联系客服核实后解冻。`,
          en: `To keep your money safe, our risk checks froze your wallet: ${what.en}. Contact customer service to have it checked and unfrozen.`,
        },
      };
    case 'operator':
      return {
        kind: 'freeze.frozen',
        params,
        title,
        body: {
          'zh-CN': `客服已冻结您的钱包：${what['zh-CN']}。如有疑问，请联系客服。`,
          en: `Customer service froze your wallet: ${what.en}. If you have questions, contact customer service.`,
        },
      };
  }
}

function liftedNotice(payload: LiftedPayload): NotificationInput {
  const params = { source: payload.source, liftedBy: payload.liftedBy };
  return payload.liftedBy === 'holder'
    ? {
        kind: 'freeze.lifted',
        params,
        title: { 'zh-CN': '钱包已解冻', en: 'Wallet unfrozen' },
        body: {
          'zh-CN': '您的钱包已解冻，付款和收款已恢复。如非本人操作，请立即冻结钱包并联系客服。',
          en: 'Your wallet is unfrozen: paying and receiving work again. If this was not you, freeze the wallet and contact customer service now.',
        },
      }
    : {
        kind: 'freeze.lifted',
        params,
        title: { 'zh-CN': '钱包已解冻', en: 'Wallet unfrozen' },
        body: {
          'zh-CN': '客服已解冻您的钱包，付款和收款已恢复。',
          en: 'Customer service unfroze your wallet: paying and receiving work again.',
        },
      };
}

function lossReportedNotice(payload: LossReportedPayload): NotificationInput {
  return {
    kind: 'freeze.loss_reported',
    params: {
      sessionsEnded: Number(payload.sessionsEnded),
      devicesLost: Number(payload.devicesLost),
      passkeysSuspended: Number(payload.passkeysSuspended),
    },
    title: { 'zh-CN': '手机已挂失', en: 'Phone reported lost' },
    body: {
      'zh-CN':
        '您已挂失手机：钱包已全部冻结（不能付款，也不能收款），所有设备均已退出登录，通行密钥已停用。' +
        '登录后可在“安全中心 › 冻结钱包”中解冻，并请重新添加通行密钥。如非本人操作，请立即联系客服。',
      en:
        'You reported your phone lost: the wallet is fully frozen (no paying, no receiving), every device ' +
        'was signed out and your passkeys were suspended. Sign in to unfreeze under Security › Freeze wallet, ' +
        'then add a new passkey. If this was not you, contact customer service now.',
    },
  };
}

/** The holder's notice of each change, given to the inbox by app.ts. */
export const FREEZE_NOTICES: NoticeRenderers = {
  [FREEZE_EVENTS.frozen]: (event: OutboxEvent) => {
    const payload = event.payload as FrozenPayload;
    const notice = frozenNotice(payload);
    return notice ? [{ userId: payload.userId, notice }] : [];
  },
  [FREEZE_EVENTS.lifted]: (event: OutboxEvent) => {
    const payload = event.payload as LiftedPayload;
    return [{ userId: payload.userId, notice: liftedNotice(payload) }];
  },
  [FREEZE_EVENTS.lossReported]: (event: OutboxEvent) => {
    const payload = event.payload as LossReportedPayload;
    return [{ userId: payload.userId, notice: lossReportedNotice(payload) }];
  },
};
