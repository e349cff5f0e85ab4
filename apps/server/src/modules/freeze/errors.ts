import type { ErrorMapping } from '../../errors.ts';

/** The freeze module's error codes; each has a row in docs/api/errors.md. */
export type FreezeErrorCode =
  | 'WALLET_FROZEN'
  | 'PAYEE_WALLET_FROZEN'
  | 'FREEZE_NOT_FROZEN'
  | 'FREEZE_NEEDS_OPERATOR'
  | 'FREEZE_REAL_NAME_REQUIRED'
  | 'FREEZE_SECOND_FACTOR_REQUIRED'
  | 'FREEZE_FACTOR_NOT_USABLE'
  | 'FREEZE_HOLDER_NOT_FOUND';

export const FREEZE_ERRORS: Record<FreezeErrorCode, ErrorMapping> = {
  WALLET_FROZEN: {
    status: 403,
    message: 'This wallet is frozen: no money can leave it until the freeze is lifted.',
  },
  // What a payer hears: nothing about why, how long, or who froze it (docs/freeze.md).
  PAYEE_WALLET_FROZEN: { status: 422, message: 'This payee cannot receive money right now.' },
  FREEZE_NOT_FROZEN: { status: 409, message: 'The wallet is not frozen.' },
  FREEZE_NEEDS_OPERATOR: {
    status: 403,
    message:
      'This freeze was set by the risk checks or by customer service; only customer service can lift it.',
  },
  FREEZE_REAL_NAME_REQUIRED: {
    status: 422,
    message: 'This wallet has no real-name record to check the ID number against; contact customer service.',
  },
  FREEZE_SECOND_FACTOR_REQUIRED: {
    status: 403,
    message:
      'No passkey or authenticator app that was set up before the freeze: contact customer service to lift it.',
  },
  FREEZE_FACTOR_NOT_USABLE: {
    status: 422,
    message: 'This factor cannot lift the freeze (set up after it, or suspended); use one of details.usable.',
  },
  FREEZE_HOLDER_NOT_FOUND: { status: 404, message: 'No such holder.' },
};
