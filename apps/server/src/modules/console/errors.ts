import type { ErrorMapping } from '../../errors.ts';

/** The console module's error codes; each has a row in docs/api/errors.md. */
export type ConsoleErrorCode =
  | 'CONSOLE_HOLDER_NOT_FOUND'
  | 'CONSOLE_NOTHING_TO_REVEAL'
  | 'CONSOLE_ACCOUNT_NOT_FOUND'
  | 'CONSOLE_TRANSFER_NOT_FOUND';

export const CONSOLE_ERRORS: Record<ConsoleErrorCode, ErrorMapping> = {
  CONSOLE_HOLDER_NOT_FOUND: { status: 404, message: 'No such holder.' },
  CONSOLE_NOTHING_TO_REVEAL: {
    status: 404,
    message: 'Nothing to reveal: the holder has no verified ID number, or no such card of theirs.',
  },
  CONSOLE_ACCOUNT_NOT_FOUND: { status: 404, message: 'No such ledger account.' },
  CONSOLE_TRANSFER_NOT_FOUND: { status: 404, message: 'No such ledger transfer.' },
};
