import type { NotificationInput } from '../notifications/service.ts';
import type { SmsPurpose } from './store.ts';

/** The texts this module sends: SMS in Chinese (carriers require the signature), inbox in zh-CN and en. */

const SMS_SIGNATURE = '【钱包】';

const SMS_PURPOSE_TEXT: Record<SmsPurpose, string> = {
  register: '注册',
  login: '登录',
  reset_password: '重置登录密码',
  new_device: '新设备登录确认',
  verify: '身份验证',
  report_loss: '钱包挂失',
  unfreeze: '解除钱包冻结',
};

export function smsCodeText(input: { code: string; purpose: SmsPurpose; ttlMinutes: number }): string {
  return `${SMS_SIGNATURE}验证码 ${input.code}，用于${SMS_PURPOSE_TEXT[input.purpose]}，${input.ttlMinutes} 分钟内有效。请勿告诉任何人，工作人员不会向您索取验证码。`;
}

export function newDeviceNotice(input: { deviceName: string; place: string }): NotificationInput {
  return {
    kind: 'security.new_device',
    params: input,
    title: { 'zh-CN': '新设备登录提醒', en: 'Signed in on a new device' },
    body: {
      'zh-CN': `您的钱包刚刚在新设备“${input.deviceName}”上登录（${input.place}）。如非本人操作，请立即修改登录密码并退出所有设备。`,
      en: `Your wallet was just signed in on a new device, "${input.deviceName}" (${input.place}). If this was not you, change your password and sign out of all devices now.`,
    },
  };
}

export function passwordChangedNotice(): NotificationInput {
  return {
    kind: 'security.password_changed',
    title: { 'zh-CN': '登录密码已修改', en: 'Login password changed' },
    body: {
      'zh-CN': '您的登录密码已修改，其他设备已退出登录。如非本人操作，请立即用短信验证码重置密码。',
      en: 'Your login password was changed and your other devices were signed out. If this was not you, reset your password with an SMS code now.',
    },
  };
}

export function passwordResetNotice(): NotificationInput {
  return {
    kind: 'security.password_reset',
    title: { 'zh-CN': '登录密码已重置', en: 'Login password reset' },
    body: {
      'zh-CN': '您的登录密码已通过短信验证码重置，所有设备均已退出登录。如非本人操作，请立即联系客服。',
      en: 'Your login password was reset with an SMS code and every device was signed out. If this was not you, contact customer service now.',
    },
  };
}

export function passwordLockedNotice(input: { failures: number; lockMinutes: number }): NotificationInput {
  return {
    kind: 'security.password_locked',
    params: input,
    title: { 'zh-CN': '密码登录已暂时锁定', en: 'Password sign-in locked' },
    body: {
      'zh-CN': `登录密码连续输错 ${input.failures} 次，密码登录已锁定 ${input.lockMinutes} 分钟，期间仍可使用短信验证码登录。如非本人操作，建议立即修改密码。`,
      en: `The login password was entered wrongly ${input.failures} times, so password sign-in is locked for ${input.lockMinutes} minutes; signing in with an SMS code still works. If this was not you, change your password.`,
    },
  };
}
