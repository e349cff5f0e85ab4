import type { FastifyReply, FastifyRequest } from 'fastify';

/** Not `qb_session`: a holder's cookie can never act as an operator, nor the other way round. */
export const OPERATOR_COOKIE = 'qb_operator';

export function operatorTokenOf(request: FastifyRequest): string | null {
  const match = /^Bearer ([\x21-\x7e]+)$/i.exec(request.headers.authorization ?? '');
  if (match?.[1]) return match[1];
  return request.cookies[OPERATOR_COOKIE] ?? null;
}

export function setOperatorCookie(
  reply: FastifyReply,
  token: string,
  secure: boolean,
  maxAgeSeconds: number,
): void {
  reply.setCookie(OPERATOR_COOKIE, token, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure,
    maxAge: maxAgeSeconds,
  });
}
