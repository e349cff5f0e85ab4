import type { ErrorMapping } from '../../errors.ts';

export type OperatorErrorCode =
  | 'OPERATOR_LOGIN_FAILED'
  | 'OPERATOR_LOCKED'
  | 'OPERATOR_EXISTS'
  | 'OPERATOR_NOT_FOUND'
  | 'OPERATOR_DISABLED'
  | 'OPERATOR_SELF_CHANGE'
  | 'OPERATOR_UNKNOWN_ACTION'
  | 'OPERATOR_ROLE_LOCKOUT'
  | 'OPERATOR_PASSKEY_NOT_RECOGNISED'
  | 'OPERATOR_PASSKEY_NOT_FOUND'
  | 'OPERATOR_PASSKEY_LIMIT_REACHED'
  | 'OPERATOR_TOTP_INVALID';

export const OPERATOR_ERRORS: Record<OperatorErrorCode, ErrorMapping> = {
  OPERATOR_LOGIN_FAILED: { status: 401, message: 'Wrong username, password or authenticator code.' },
  OPERATOR_LOCKED: { status: 423, message: 'Too many failed sign-ins; this operator is locked for a while.' },
  OPERATOR_EXISTS: { status: 409, message: 'An operator with this username exists.' },
  OPERATOR_NOT_FOUND: { status: 404, message: 'No operator with this id.' },
  OPERATOR_DISABLED: { status: 409, message: 'This operator is disabled.' },
  OPERATOR_SELF_CHANGE: {
    status: 409,
    message:
      'An admin cannot change their own role, disable themselves or reset their own authenticator; ask another admin.',
  },
  OPERATOR_UNKNOWN_ACTION: { status: 400, message: 'Not a back-office action; details.actions names them.' },
  OPERATOR_ROLE_LOCKOUT: {
    status: 409,
    message: 'Admins keep operators:manage: without it nobody could change roles again.',
  },
  OPERATOR_PASSKEY_NOT_RECOGNISED: {
    status: 401,
    message:
      'This passkey was not recognised (unknown, or its signature or counter is wrong); details.reason.',
  },
  OPERATOR_PASSKEY_NOT_FOUND: { status: 404, message: 'No such passkey of yours.' },
  OPERATOR_PASSKEY_LIMIT_REACHED: {
    status: 409,
    message: 'You have the most passkeys allowed; remove one first.',
  },
  OPERATOR_TOTP_INVALID: {
    status: 422,
    message: 'The authenticator code is wrong or was used already; type the one it shows now.',
  },
};
