import type { ErrorMapping } from '../../errors.ts';

/** The help module's error codes; each has a row in docs/api/errors.md. */
export type HelpErrorCode = 'HELP_ARTICLE_NOT_FOUND' | 'HELP_ARTICLE_CHANGED' | 'HELP_FEEDBACK_LIMITED';

export const HELP_ERRORS: Record<HelpErrorCode, ErrorMapping> = {
  HELP_ARTICLE_NOT_FOUND: { status: 404, message: 'No such help article.' },
  HELP_ARTICLE_CHANGED: {
    status: 409,
    message: 'Someone changed this article since it was opened; details.version is its version now.',
  },
  HELP_FEEDBACK_LIMITED: {
    status: 429,
    message: 'You have sent as much feedback as a day allows; try again later.',
    retryAfterSeconds: 3600,
  },
};
