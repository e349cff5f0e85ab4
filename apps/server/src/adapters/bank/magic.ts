import type { BankFailureReason, CardVerificationResult } from './bank.ts';
import type { BankCode } from './bins.ts';

/**
 * The sandbox bank's documented magic values (docs/bank-sandbox.md). The last 4 digits of a
 * card (or bank account) number choose how the bank behaves; any Luhn-valid number with those
 * last 4 digits does, and `example` is a ready one with a real bank's BIN.
 */

export type Completion = 'immediate' | 'pending_succeeds' | 'pending_fails';

export interface Magic {
  /** verifyCard's answer for a well-formed request. */
  verify: CardVerificationResult;
  /** The card opens with a balance of 0.00 instead of the default. */
  zeroOpeningBalance: boolean;
  /** Money operations and SMS codes throw BankUnavailableError: the request never arrives. */
  unavailable: boolean;
  /** Money operations on the card (top-up, withdrawal) fail at once with this reason. */
  cardFailure: BankFailureReason | null;
  /** Transfers to the number as a bank account fail at once with this reason. */
  accountFailure: BankFailureReason | null;
  completion: Completion;
  /** The bank does the work (or fails it) but the answer is lost: BankTimeoutError. */
  answerLost: boolean;
}

export interface SandboxMagicCard {
  last4: string;
  example: string;
  bankCode: BankCode;
  effect: string;
  magic: Partial<Magic>;
}

export const SANDBOX_MAGIC_CARDS: readonly SandboxMagicCard[] = [
  {
    last4: '0002',
    example: '6222028888050002',
    bankCode: 'ICBC',
    effect: 'opens with a balance of 0.00: top-ups fail INSUFFICIENT_FUNDS until money is credited to it',
    magic: { zeroOpeningBalance: true },
  },
  {
    last4: '0010',
    example: '6217008888040010',
    bankCode: 'CCB',
    effect: 'frozen: verifyCard CARD_FROZEN; money operations fail CARD_FROZEN',
    magic: { verify: 'CARD_FROZEN', cardFailure: 'CARD_FROZEN', accountFailure: 'CARD_FROZEN' },
  },
  {
    last4: '0028',
    example: '6228488888050028',
    bankCode: 'ABC',
    effect: 'wrong name: verifyCard MISMATCH; transfers to it as a bank account fail NAME_MISMATCH',
    magic: { verify: 'MISMATCH', accountFailure: 'NAME_MISMATCH' },
  },
  {
    last4: '0036',
    example: '6216618888010036',
    bankCode: 'BOC',
    effect: 'answer lost: money moves, then BankTimeoutError; getOperation says succeeded',
    magic: { answerLost: true },
  },
  {
    last4: '0044',
    example: '6214838888070044',
    bankCode: 'CMB',
    effect: 'asynchronous: answers pending, then succeeds after the pending delay',
    magic: { completion: 'pending_succeeds' },
  },
  {
    last4: '0051',
    example: '6217998888060051',
    bankCode: 'PSBC',
    effect: 'asynchronous: answers pending, then fails DECLINED after the pending delay',
    magic: { completion: 'pending_fails' },
  },
  {
    last4: '0069',
    example: '6222628888020069',
    bankCode: 'BOCOM',
    effect: 'bank unavailable: verifyCard UNAVAILABLE; SMS and money operations throw BankUnavailableError',
    magic: { verify: 'UNAVAILABLE', unavailable: true },
  },
  {
    last4: '0077',
    example: '6226908888040077',
    bankCode: 'CITIC',
    effect: 'answer lost and failed: BankTimeoutError; getOperation says failed DECLINED',
    magic: { answerLost: true, cardFailure: 'DECLINED', accountFailure: 'DECLINED' },
  },
  {
    last4: '0085',
    example: '6229098888010085',
    bankCode: 'CIB',
    effect: 'cancelled card: verifyCard CARD_INVALID; money operations fail CARD_INVALID (ACCOUNT_INVALID)',
    magic: { verify: 'CARD_INVALID', cardFailure: 'CARD_INVALID', accountFailure: 'ACCOUNT_INVALID' },
  },
  {
    last4: '0093',
    example: '6225888888090093',
    bankCode: 'CMB',
    effect: 'frozen after binding: verifyCard MATCH; money operations fail CARD_FROZEN',
    magic: { cardFailure: 'CARD_FROZEN', accountFailure: 'CARD_FROZEN' },
  },
];

/** Amount magic: exactly 666.66 fails LIMIT_EXCEEDED, whatever the card. */
export const LIMIT_EXCEEDED_MAGIC_AMOUNT_MINOR = 66_666n;

const NO_MAGIC: Magic = {
  verify: 'MATCH',
  zeroOpeningBalance: false,
  unavailable: false,
  cardFailure: null,
  accountFailure: null,
  completion: 'immediate',
  answerLost: false,
};

const BY_LAST4 = new Map(SANDBOX_MAGIC_CARDS.map((card) => [card.last4, { ...NO_MAGIC, ...card.magic }]));

export function magicOf(last4: string | null): Magic {
  return (last4 === null ? undefined : BY_LAST4.get(last4)) ?? NO_MAGIC;
}
