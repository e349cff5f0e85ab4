/**
 * How console pages talk to the API: the wallet's `request` (JSON, cookies, `ApiError`) with the
 * operator's cookie (`qb_operator`, set by POST /v1/operator/login). A 401 means the operator's
 * session is over: the console shows its sign-in again (never the wallet's).
 */
import { createContext, useContext } from 'react';
import { isApiError, request } from '../api/client.ts';
import type { RequestOptions } from '../api/client.ts';

export interface Operator {
  id: string;
  username: string;
  displayName: string;
  role: string;
  /** The actions this operator may take (auth/permissions.ts), read from the server. */
  permissions: string[];
}

export interface OperatorView extends Operator {
  can(action: string): boolean;
}

let signedOutListener: (() => void) | undefined;

/** Console.tsx listens: any 401 from a console call sends the operator back to sign-in. */
export function onConsoleSignedOut(listener: (() => void) | undefined): void {
  signedOutListener = listener;
}

export async function consoleRequest<T>(
  method: string,
  path: string,
  options: Omit<RequestOptions, 'reportUnauthorized'> = {},
): Promise<T> {
  try {
    return await request<T>(method, path, { ...options, reportUnauthorized: false });
  } catch (error) {
    if (isApiError(error) && error.status === 401 && path !== '/v1/operator/login') signedOutListener?.();
    throw error;
  }
}

export const OperatorContext = createContext<OperatorView | null>(null);

/** The signed-in operator; only inside the console's pages. */
export function useOperator(): OperatorView {
  const operator = useContext(OperatorContext);
  if (!operator) throw new Error('useOperator outside the operator console');
  return operator;
}

export function operatorView(operator: Operator): OperatorView {
  return { ...operator, can: (action) => operator.permissions.includes(action) };
}

export const consoleKeys = { me: ['console', 'me'] as const };

export function fetchOperator(): Promise<Operator> {
  return consoleRequest<Operator>('GET', '/v1/operator/me');
}

export function signIn(input: {
  username: string;
  password: string;
  totpCode: string;
}): Promise<{ operator: Operator }> {
  return consoleRequest('POST', '/v1/operator/login', { body: input });
}

export function signOut(): Promise<void> {
  return consoleRequest('POST', '/v1/operator/logout');
}
