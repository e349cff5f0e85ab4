import type { NotificationInput } from '../notifications/service.ts';

/** Inbox texts of this module, in zh-CN and en. Never a PIN, code or secret in them. */

const IF_NOT_YOU_ZH = '如非本人操作，请立即修改登录密码并联系客服。';
const IF_NOT_YOU_EN = 'If this was not you, change your login password and contact customer service now.';

export function pinSetNotice(input: { changed: boolean }): NotificationInput {
  return input.changed
    ? {
        kind: 'security.pin_changed',
        title: { 'zh-CN': '支付密码已修改', en: 'Payment PIN changed' },
        body: {
          'zh-CN': `您的支付密码已修改。${IF_NOT_YOU_ZH}`,
          en: `Your payment PIN was changed. ${IF_NOT_YOU_EN}`,
        },
      }
    : {
        kind: 'security.pin_set',
        title: { 'zh-CN': '支付密码已设置', en: 'Payment PIN set' },
        body: {
          'zh-CN': `您已设置支付密码，付款时需输入。${IF_NOT_YOU_ZH}`,
          en: `You set a payment PIN; payments will ask for it. ${IF_NOT_YOU_EN}`,
        },
      };
}

export function paymentsLockedNotice(input: { failures: number; lockMinutes: number }): NotificationInput {
  return {
    kind: 'security.payments_locked',
    params: input,
    title: { 'zh-CN': '支付已暂时锁定', en: 'Payments locked' },
    body: {
      'zh-CN': `支付密码或验证码连续输错 ${input.failures} 次，付款已锁定 ${input.lockMinutes} 分钟。重设支付密码可立即解锁。${IF_NOT_YOU_ZH}`,
      en: `The payment PIN or code was entered wrongly ${input.failures} times, so payments are locked for ${input.lockMinutes} minutes. Setting a new PIN unlocks them at once. ${IF_NOT_YOU_EN}`,
    },
  };
}

export function passkeyAddedNotice(input: { name: string }): NotificationInput {
  return {
    kind: 'security.passkey_added',
    params: input,
    title: { 'zh-CN': '已添加通行密钥', en: 'Passkey added' },
    body: {
      'zh-CN': `通行密钥“${input.name}”已添加，可用于登录和确认付款。${IF_NOT_YOU_ZH}`,
      en: `The passkey "${input.name}" was added; it can sign in and confirm payments. ${IF_NOT_YOU_EN}`,
    },
  };
}

export function passkeyRemovedNotice(input: { name: string }): NotificationInput {
  return {
    kind: 'security.passkey_removed',
    params: input,
    title: { 'zh-CN': '已删除通行密钥', en: 'Passkey removed' },
    body: {
      'zh-CN': `通行密钥“${input.name}”已删除，不能再用于登录或付款。${IF_NOT_YOU_ZH}`,
      en: `The passkey "${input.name}" was removed and no longer signs in or confirms payments. ${IF_NOT_YOU_EN}`,
    },
  };
}

export function totpEnabledNotice(): NotificationInput {
  return {
    kind: 'security.totp_enabled',
    title: { 'zh-CN': '两步验证已开启', en: 'Two-step verification on' },
    body: {
      'zh-CN': `您已开启身份验证器两步验证，请妥善保管恢复码。${IF_NOT_YOU_ZH}`,
      en: `Authenticator two-step verification is on. Keep your recovery codes somewhere safe. ${IF_NOT_YOU_EN}`,
    },
  };
}

export function totpDisabledNotice(input: { withRecoveryCode: boolean }): NotificationInput {
  return {
    kind: 'security.totp_disabled',
    params: input,
    title: { 'zh-CN': '两步验证已关闭', en: 'Two-step verification off' },
    body: {
      'zh-CN': `您已关闭身份验证器两步验证${input.withRecoveryCode ? '（使用了恢复码）' : ''}。${IF_NOT_YOU_ZH}`,
      en: `Authenticator two-step verification was turned off${input.withRecoveryCode ? ' with a recovery code' : ''}. ${IF_NOT_YOU_EN}`,
    },
  };
}

export function passwordFreeChangedNotice(input: { limitYuan: string }): NotificationInput {
  const off = input.limitYuan === '0.00';
  return {
    kind: 'security.password_free_changed',
    params: input,
    title: off
      ? { 'zh-CN': '免密支付已关闭', en: 'Password-free payments off' }
      : { 'zh-CN': '免密支付额度已修改', en: 'Password-free limit changed' },
    body: off
      ? {
          'zh-CN': '免密支付已关闭，每笔付款都需要验证。',
          en: 'Password-free payments are off: every payment needs confirming.',
        }
      : {
          'zh-CN': `小额免密支付额度已设为每笔 ¥${input.limitYuan}。${IF_NOT_YOU_ZH}`,
          en: `Password-free payments are now allowed up to ¥${input.limitYuan} each. ${IF_NOT_YOU_EN}`,
        },
  };
}
