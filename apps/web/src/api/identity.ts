/**
 * The identity API (sign-up, sign-in, sessions) and the inbox, typed for the screens. The
 * shapes follow the server's schemas (apps/server/src/modules/identity/schemas.ts and
 * modules/notifications/routes.ts); fields that arrive later (the balance) are optional.
 */
import type { MoneyJson } from '@qianbao/money';
import { api } from './client.ts';
import { deviceId, deviceName } from './device.ts';

export type SmsPurpose = 'register' | 'login' | 'new_device' | 'reset_password' | 'report_loss';

export interface Me {
  id: string;
  /** Masked by the server, e.g. 138****8000. */
  phone: string;
  walletAccountId: string;
  realNameVerified?: boolean;
  /** Not served by every version of the API: then `/v1/me/balance` is asked, if it exists. */
  balance?: MoneyJson;
}

export interface Session {
  id: string;
  deviceId: string;
  deviceName: string | null;
  /** Coarse place from the IP address, e.g. "Local network". */
  place: string;
  ipAddress: string | null;
  createdAt: string;
  lastUsedAt: string;
  current: boolean;
}

export interface Notification {
  id: string;
  /** `security.new_device` …: what happened. */
  kind: string;
  /** What the notice is about, by kind: `transferId` (transfers), `fundingId` (top-up, withdrawal …). */
  params: Record<string, unknown>;
  /** In the language asked for. */
  title: string;
  body: string;
  createdAt: string;
  read: boolean;
}

export interface SmsCodeSent {
  /** Seconds before another code may be asked for. */
  resendAfterSeconds: number;
  expiresInSeconds: number;
}

export function sendSmsCode(phone: string, purpose: SmsPurpose): Promise<SmsCodeSent> {
  return api.post<SmsCodeSent>('/v1/auth/sms-codes', { phone, purpose }, { reportUnauthorized: false });
}

export function register(input: { phone: string; code: string; password: string }): Promise<unknown> {
  return api.post(
    '/v1/auth/register',
    { ...input, deviceId: deviceId(), deviceName: deviceName() },
    { reportUnauthorized: false },
  );
}

export function signInWithPassword(input: {
  phone: string;
  password: string;
  smsCode?: string;
}): Promise<unknown> {
  return api.post(
    '/v1/auth/login/password',
    { ...input, deviceId: deviceId(), deviceName: deviceName() },
    { reportUnauthorized: false },
  );
}

export function signInWithSms(input: { phone: string; code: string }): Promise<unknown> {
  return api.post(
    '/v1/auth/login/sms',
    { ...input, deviceId: deviceId(), deviceName: deviceName() },
    { reportUnauthorized: false },
  );
}

export function signOut(): Promise<unknown> {
  return api.post('/v1/auth/logout', {}, { reportUnauthorized: false });
}

export function signOutEverywhere(): Promise<unknown> {
  return api.post('/v1/auth/logout-all');
}

export function fetchMe(): Promise<Me> {
  return api.get<Me>('/v1/me');
}

export interface WalletBalance {
  /** What the ledger has posted. */
  balance: MoneyJson;
  /** The balance less money on hold (pending payments and withdrawals). */
  available?: MoneyJson;
}

/** The wallet from the ledger, for a server whose `/v1/me` does not carry the balance. */
export function fetchBalance(): Promise<WalletBalance> {
  return api.get<WalletBalance>('/v1/me/balance');
}

/**
 * A forgotten login password: a `reset_password` code, the new password, and the ID number once
 * the wallet is real-name verified (ID_NUMBER_REQUIRED otherwise). Ends every session.
 */
export function resetPassword(input: {
  phone: string;
  code: string;
  newPassword: string;
  idNumber?: string;
}): Promise<unknown> {
  return api.post('/v1/auth/password-reset', input, { reportUnauthorized: false });
}

export function changePassword(input: { oldPassword: string; newPassword: string }): Promise<unknown> {
  return api.post('/v1/me/password', input);
}

export async function fetchSessions(): Promise<Session[]> {
  return (await api.get<{ sessions: Session[] }>('/v1/me/sessions')).sessions;
}

export function endSession(id: string): Promise<unknown> {
  return api.delete(`/v1/me/sessions/${encodeURIComponent(id)}`);
}

const INBOX_PAGE = 50;

export async function fetchNotifications(language: string): Promise<Notification[]> {
  const query = new URLSearchParams({ lang: language === 'en' ? 'en' : 'zh-CN', limit: String(INBOX_PAGE) });
  return (await api.get<{ notifications: Notification[] }>(`/v1/me/notifications?${query}`)).notifications;
}

export async function fetchUnreadCount(): Promise<number> {
  return (await api.get<{ unreadCount: number }>('/v1/me/notifications/unread-count')).unreadCount;
}

export function markNotificationRead(id: string): Promise<unknown> {
  return api.post(`/v1/me/notifications/${encodeURIComponent(id)}/read`);
}

export function markAllNotificationsRead(): Promise<unknown> {
  return api.post('/v1/me/notifications/read-all');
}

/** Whether the server runs with its sandbox adapters (SMS codes readable under /dev). */
export async function fetchSandboxMode(): Promise<boolean> {
  try {
    const meta = await api.get<{ mode?: unknown }>('/v1/meta', { reportUnauthorized: false });
    if (typeof meta.mode === 'string') return meta.mode === 'sandbox';
  } catch {
    // No /v1/meta on this server: guess from where it runs.
  }
  return ['localhost', '127.0.0.1', '[::1]'].includes(location.hostname);
}
