import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import type { Operator, OperatorRole } from './service.ts';

export type SignedInOperator = Operator & { sessionId: string };

declare module 'fastify' {
  interface FastifyRequest {
    /** Null unless the route runs the operator module's `authenticate` hook. */
    operator: SignedInOperator | null;
  }
}

/** Not `qb_session`: a holder's cookie can never act as an operator, nor the other way round. */
export const OPERATOR_COOKIE = 'qb_operator';

export function operatorTokenOf(request: FastifyRequest): string | null {
  const match = /^Bearer ([\x21-\x7e]+)$/i.exec(request.headers.authorization ?? '');
  if (match?.[1]) return match[1];
  return request.cookies[OPERATOR_COOKIE] ?? null;
}

/** The signed-in operator, who must hold one of `roles` (admin may do everything). */
export function requireOperator(
  request: FastifyRequest,
  roles: readonly OperatorRole[] = [],
): SignedInOperator {
  const operator = request.operator;
  if (!operator) throw new AppError('UNAUTHORIZED');
  if (roles.length > 0 && operator.role !== 'admin' && !roles.includes(operator.role))
    throw new AppError('FORBIDDEN');
  return operator;
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
