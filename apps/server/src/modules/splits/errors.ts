import type { ErrorMapping } from '../../errors.ts';

/** The splits module's error codes; merged into the server's table in apps/server/src/errors.ts. */
export type SplitsErrorCode =
  | 'SPLIT_NOT_FOUND'
  | 'SPLIT_TOO_MANY_PEOPLE'
  | 'SPLIT_TOTAL_TOO_LARGE'
  | 'SPLIT_TOTAL_TOO_SMALL'
  | 'SPLIT_SHARES_MISMATCH'
  | 'SPLIT_DUPLICATE_PARTICIPANT'
  | 'SPLIT_PARTICIPANT_IS_ORGANISER'
  | 'SPLIT_CLOSED'
  | 'SPLIT_FULL'
  | 'CANNOT_PAY_OWN_SPLIT'
  | 'SPLIT_SHARE_ALREADY_PAID'
  | 'SPLIT_SHARE_IN_PROGRESS'
  | 'SPLIT_SHARE_NOT_FOUND'
  | 'SPLIT_SHARE_NOT_PAID'
  | 'SPLIT_SHARE_ALREADY_REFUNDED'
  | 'SPLIT_NOTHING_TO_REMIND'
  | 'SPLIT_REMINDER_TOO_SOON';

export const SPLITS_ERRORS: Record<SplitsErrorCode, ErrorMapping> = {
  SPLIT_NOT_FOUND: { status: 404, message: 'No such split.' },
  SPLIT_TOO_MANY_PEOPLE: {
    status: 422,
    message: 'A split may not have more people than the maximum; details.max.',
  },
  SPLIT_TOTAL_TOO_LARGE: { status: 422, message: 'A split may not be more than the maximum; details.max.' },
  SPLIT_TOTAL_TOO_SMALL: {
    status: 422,
    message: 'Every share of a split needs at least ¥0.01; details.min is the least total.',
  },
  SPLIT_SHARES_MISMATCH: {
    status: 422,
    message:
      'The shares do not add up to the total; details.difference is total − sum (positive: the shares fall short).',
  },
  SPLIT_DUPLICATE_PARTICIPANT: { status: 422, message: 'A participant is named twice; details.phone.' },
  SPLIT_PARTICIPANT_IS_ORGANISER: {
    status: 422,
    message: 'You are the organiser: count yourself with includeMe rather than naming yourself.',
  },
  SPLIT_CLOSED: { status: 410, message: 'The organiser closed this split: it takes no more payments.' },
  SPLIT_FULL: { status: 410, message: 'Every share of this split has been paid.' },
  CANNOT_PAY_OWN_SPLIT: {
    status: 422,
    message: 'You organised this split: there is nothing for you to pay.',
  },
  SPLIT_SHARE_ALREADY_PAID: {
    status: 409,
    message: 'You have paid your share of this split already; details.amount.',
  },
  SPLIT_SHARE_IN_PROGRESS: {
    status: 409,
    message: 'This share is being paid right now; try again in a moment.',
    retryAfterSeconds: 2,
  },
  SPLIT_SHARE_NOT_FOUND: { status: 404, message: 'No such share of this split.' },
  SPLIT_SHARE_NOT_PAID: {
    status: 409,
    message: 'Only a paid share can be refunded; details.status says where it stands.',
  },
  SPLIT_SHARE_ALREADY_REFUNDED: { status: 409, message: 'This share has been refunded already.' },
  SPLIT_NOTHING_TO_REMIND: {
    status: 409,
    message: 'Nobody named in this split is left to pay (an open split names nobody until they pay).',
  },
  SPLIT_REMINDER_TOO_SOON: {
    status: 429,
    message: 'This split was reminded recently; details.nextReminderAt says when it may be again.',
  },
};
