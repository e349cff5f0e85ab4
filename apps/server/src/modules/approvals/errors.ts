import type { ErrorMapping } from '../../errors.ts';

/** The approvals module's error codes; each has a row in docs/api/errors.md. */
export type ApprovalsErrorCode =
  | 'APPROVAL_NOT_FOUND'
  | 'APPROVAL_OWN_CHANGE'
  | 'APPROVAL_ALREADY_DECIDED'
  | 'APPROVAL_NOT_MAKER'
  | 'APPROVAL_INVALID_VALUE'
  | 'APPROVAL_EFFECTIVE_AT_INVALID'
  | 'ADJUSTMENT_HOLDER_NOT_FOUND';

export const APPROVALS_ERRORS: Record<ApprovalsErrorCode, ErrorMapping> = {
  APPROVAL_NOT_FOUND: { status: 404, message: 'No such change request.' },
  APPROVAL_OWN_CHANGE: {
    status: 403,
    message: 'A change is checked by another operator than the one who proposed it.',
  },
  APPROVAL_ALREADY_DECIDED: {
    status: 409,
    message: 'The change was decided or cancelled already (see details.status).',
  },
  APPROVAL_NOT_MAKER: { status: 403, message: 'Only the operator who proposed a change may cancel it.' },
  APPROVAL_INVALID_VALUE: {
    status: 422,
    message: 'The value does not fit the setting (see details.issues).',
  },
  APPROVAL_EFFECTIVE_AT_INVALID: {
    status: 422,
    message: 'A change takes effect now or later, within a year.',
  },
  ADJUSTMENT_HOLDER_NOT_FOUND: { status: 404, message: 'No holder with that id or phone number.' },
};
