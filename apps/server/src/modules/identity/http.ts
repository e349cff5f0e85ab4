import type { FastifyReply, FastifyRequest } from 'fastify';

/** A live session's holder, as `IdentityService.authenticate` finds it (the principal adds `kind`). */
export interface Holder {
  userId: string;
  sessionId: string;
  /** The client's device id the session was created on. */
  deviceId: string;
  /** The holder's CNY wallet account in the ledger. */
  walletAccountId: string;
}

export const SESSION_COOKIE = 'qb_session';

/** The session token of a request: `Authorization: Bearer …` first, else the cookie. */
export function sessionTokenOf(request: FastifyRequest): string | null {
  const match = /^Bearer ([\x21-\x7e]+)$/i.exec(request.headers.authorization ?? '');
  if (match?.[1]) return match[1];
  return request.cookies[SESSION_COOKIE] ?? null;
}

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

const MAX_USER_AGENT_LENGTH = 256;

export function clientOf(request: FastifyRequest): ClientInfo {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip ? request.ip.slice(0, 64) : null,
    userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT_LENGTH) : null,
  };
}

export interface CookiePolicy {
  /** `Secure` attribute: on in production (HTTPS only), off in sandbox so http://localhost works. */
  secure: boolean;
  maxAgeSeconds: number;
}

/** HttpOnly so page scripts never see it; SameSite=Lax so other sites cannot post with it. */
export function setSessionCookie(reply: FastifyReply, token: string, policy: CookiePolicy): void {
  reply.setCookie(SESSION_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: policy.secure,
    maxAge: policy.maxAgeSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply, policy: CookiePolicy): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: policy.secure });
}
