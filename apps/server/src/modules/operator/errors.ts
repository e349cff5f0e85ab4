import type { ErrorMapping } from '../../errors.ts';

export type OperatorErrorCode = 'OPERATOR_LOGIN_FAILED' | 'OPERATOR_LOCKED' | 'OPERATOR_EXISTS';

export const OPERATOR_ERRORS: Record<OperatorErrorCode, ErrorMapping> = {
  OPERATOR_LOGIN_FAILED: { status: 401, message: 'Wrong username, password or authenticator code.' },
  OPERATOR_LOCKED: { status: 423, message: 'Too many failed sign-ins; this operator is locked for a while.' },
  OPERATOR_EXISTS: { status: 409, message: 'An operator with this username exists.' },
};
