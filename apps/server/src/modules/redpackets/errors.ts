import type { ErrorMapping } from '../../errors.ts';

/** The red-packets module's error codes; merged into the server's table in apps/server/src/errors.ts. */
export type RedPacketsErrorCode =
  | 'RED_PACKET_NOT_FOUND'
  | 'RED_PACKET_SHARE_TOO_LARGE'
  | 'RED_PACKET_TOO_MANY_SHARES'
  | 'RED_PACKET_TOTAL_TOO_SMALL'
  | 'RED_PACKET_UNEVEN_TOTAL'
  | 'RED_PACKET_ALREADY_CLAIMED'
  | 'RED_PACKET_EMPTY'
  | 'RED_PACKET_EXPIRED'
  | 'CANNOT_CLAIM_OWN_RED_PACKET';

export const RED_PACKETS_ERRORS: Record<RedPacketsErrorCode, ErrorMapping> = {
  RED_PACKET_NOT_FOUND: { status: 404, message: 'No such red packet.' },
  RED_PACKET_SHARE_TOO_LARGE: {
    status: 422,
    message: 'A red packet share may not be more than the maximum; details.max.',
  },
  RED_PACKET_TOO_MANY_SHARES: {
    status: 422,
    message: 'A red packet may not have more shares than the maximum; details.max.',
  },
  RED_PACKET_TOTAL_TOO_SMALL: {
    status: 422,
    message: 'Every share of a red packet needs at least ¥0.01; details.min.',
  },
  RED_PACKET_UNEVEN_TOTAL: {
    status: 422,
    message:
      'An equal red packet must split into equal shares; details.lower and details.higher are the nearest totals that do.',
  },
  RED_PACKET_ALREADY_CLAIMED: {
    status: 409,
    message: 'You have claimed this red packet already; details.amount is your share.',
  },
  RED_PACKET_EMPTY: { status: 410, message: 'Every share of this red packet has been claimed.' },
  RED_PACKET_EXPIRED: {
    status: 410,
    message: 'This red packet has expired; what nobody claimed went back to its sender.',
  },
  CANNOT_CLAIM_OWN_RED_PACKET: { status: 422, message: 'You cannot claim a red packet you sent.' },
};
