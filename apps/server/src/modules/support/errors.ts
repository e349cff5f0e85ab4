import type { ErrorMapping } from '../../errors.ts';

/** The support module's error codes; each has a row in docs/api/errors.md. */
export type SupportErrorCode =
  | 'SUPPORT_TICKET_NOT_FOUND'
  | 'SUPPORT_TOO_MANY_OPEN_TICKETS'
  | 'SUPPORT_TICKET_STATE'
  | 'SUPPORT_MESSAGE_TOO_LONG'
  | 'SUPPORT_ATTACHMENT_INVALID'
  | 'SUPPORT_ATTACHMENT_NOT_FOUND'
  | 'SUPPORT_ATTACHMENT_UNAVAILABLE'
  | 'SUPPORT_ALREADY_RATED'
  | 'SUPPORT_TICKET_TAKEN'
  | 'SUPPORT_TEMPLATE_NOT_FOUND'
  | 'SUPPORT_AGENT_NOT_FOUND';

export const SUPPORT_ERRORS: Record<SupportErrorCode, ErrorMapping> = {
  SUPPORT_TICKET_NOT_FOUND: { status: 404, message: 'No such ticket.' },
  SUPPORT_TOO_MANY_OPEN_TICKETS: {
    status: 409,
    message: 'Too many open tickets: wait for one to be resolved, or add to it.',
  },
  SUPPORT_TICKET_STATE: { status: 409, message: 'The ticket’s status does not allow this.' },
  SUPPORT_MESSAGE_TOO_LONG: { status: 422, message: 'The message is too long.' },
  SUPPORT_ATTACHMENT_INVALID: {
    status: 422,
    message: 'Attachments must be JPEG, PNG or PDF files within the size limit.',
  },
  SUPPORT_ATTACHMENT_NOT_FOUND: { status: 404, message: 'No such attachment.' },
  SUPPORT_ATTACHMENT_UNAVAILABLE: {
    status: 422,
    message: 'An attachment is unknown, not yours, already attached elsewhere, or one too many (at most 3).',
  },
  SUPPORT_ALREADY_RATED: { status: 409, message: 'This ticket has been rated already.' },
  SUPPORT_TICKET_TAKEN: { status: 409, message: 'Another operator has taken this ticket.' },
  SUPPORT_TEMPLATE_NOT_FOUND: { status: 404, message: 'No such reply template.' },
  SUPPORT_AGENT_NOT_FOUND: { status: 404, message: 'No such support operator.' },
};
