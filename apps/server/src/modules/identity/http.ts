import type { FastifyReply, FastifyRequest } from 'fastify';

/** Who is calling: set by `app.authenticate` on every route that uses it. */
export interface Holder {
  userId: string;
  sessionId: string;
  /** The client's device id the session was created on. */
  deviceId: string;
  /** The holder's CNY wallet account in the ledger. */
  walletAccountId: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * `onRequest` hook for holder routes: admits the request only with a live session (bearer
     * token or `qb_session` cookie, checked in the database), then sets `request.holder`.
     * Use: `app.get(url, { onRequest: app.authenticate, schema }, handler)`.
     */
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    /** Null unless the route runs `app.authenticate`; read it with `requireHolder(request)`. */
    holder: Holder | null;
  }
}

/** The signed-in holder of a route that runs `app.authenticate`. */
export function requireHolder(request: FastifyRequest): Holder {
  // A programmer error, loud on the first test: an unauthenticated request never gets this far.
  if (!request.holder) throw new Error(`route ${request.routeOptions.url} needs onRequest: app.authenticate`);
  return request.holder;
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
