import type { ErrorMapping } from '../../errors.ts';

/** The history module's error codes; merged into the server's table in apps/server/src/errors.ts. */
export type HistoryErrorCode = 'TRANSACTION_NOT_FOUND' | 'INVALID_CURSOR';

export const HISTORY_ERRORS: Record<HistoryErrorCode, ErrorMapping> = {
  TRANSACTION_NOT_FOUND: { status: 404, message: 'No such transaction in your wallet.' },
  INVALID_CURSOR: { status: 400, message: 'The cursor is not one this API gave out.' },
};
