import type { ErrorMapping } from '../../errors.ts';

/** The risk module's error codes; each has a row in docs/api/errors.md. */
export type RiskErrorCode =
  | 'STEP_UP_NOT_FOUND'
  | 'STEP_UP_EXPIRED'
  | 'STEP_UP_ALREADY_PASSED'
  | 'RISK_RULE_SET_NOT_FOUND'
  | 'RISK_RULE_SET_INVALID'
  | 'RISK_RULE_SET_NOT_DRAFT'
  | 'RISK_RULE_SET_OWN_DRAFT'
  | 'RISK_LIST_ENTRY_NOT_FOUND'
  | 'RISK_CASE_NOT_FOUND'
  | 'RISK_CASE_CLOSED';

export const RISK_ERRORS: Record<RiskErrorCode, ErrorMapping> = {
  STEP_UP_NOT_FOUND: { status: 404, message: 'No such step-up.' },
  STEP_UP_EXPIRED: {
    status: 410,
    message: 'This step-up has expired. Send the payment again to get a new one.',
  },
  STEP_UP_ALREADY_PASSED: {
    status: 409,
    message: 'This step-up is passed already: send the payment again with the same Idempotency-Key.',
  },
  RISK_RULE_SET_NOT_FOUND: { status: 404, message: 'No such rule set version.' },
  RISK_RULE_SET_INVALID: {
    status: 400,
    message: 'The rule set is not valid; details.issues says where.',
  },
  RISK_RULE_SET_NOT_DRAFT: { status: 409, message: 'Only a draft rule set can be activated.' },
  RISK_RULE_SET_OWN_DRAFT: {
    status: 403,
    message: 'A rule set is activated by another operator than the one who made the draft (maker-checker).',
  },
  RISK_LIST_ENTRY_NOT_FOUND: { status: 404, message: 'No such list entry.' },
  RISK_CASE_NOT_FOUND: { status: 404, message: 'No such review case.' },
  RISK_CASE_CLOSED: {
    status: 409,
    message: 'This review case was decided otherwise already; details.status and details.outcome say how.',
  },
};
