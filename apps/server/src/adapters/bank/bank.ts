/**
 * The bank adapter: the wallet's view of a bank core. The cards, funding and transfers modules
 * call this interface and nothing else; which bank (or the sandbox bank) answers is decided once,
 * in the composition root. A real bank integration is one file implementing `BankAdapter`.
 *
 * Money is `bigint` minor units. `operationId` is the wallet's idempotency key: calling a money
 * operation again with the same id never moves money twice; it answers the same outcome (or the
 * operation's current status). The same id with different content is refused
 * (`BankRequestError` `OPERATION_CONFLICT`).
 *
 * Three ways a money call can end, and what the caller may conclude:
 * - an outcome (`succeeded`, `failed` with a reason, or `pending`: ask again with `getOperation`);
 * - `BankTimeoutError`: the answer never came. The bank may or may not have moved the money;
 *   only `getOperation` (or the settlement file) can tell. Never void or retry blindly.
 * - `BankUnavailableError`: the request never reached the bank; nothing happened. Safe to void,
 *   or to retry later with the same `operationId`.
 * `BankRequestError` is a malformed request (validate first) or a conflict; nothing happened.
 */

export type BankOperationKind = 'debit_card' | 'credit_card' | 'credit_account';

export type BankOperationStatus = 'succeeded' | 'failed' | 'pending';

export type BankFailureReason =
  /** The card's balance is short (top-up). */
  | 'INSUFFICIENT_FUNDS'
  | 'CARD_FROZEN'
  /** Unknown card token, or a cancelled card. */
  | 'CARD_INVALID'
  /** The account name does not match the account (transfer to a bank account). */
  | 'NAME_MISMATCH'
  /** Unknown or closed account number, or a bank code the bank cannot route to. */
  | 'ACCOUNT_INVALID'
  /** Over the bank's limit for one operation. */
  | 'LIMIT_EXCEEDED'
  | 'CURRENCY_UNSUPPORTED'
  /** The wallet's own settlement account at the bank is short (withdrawal, transfer out). */
  | 'SETTLEMENT_INSUFFICIENT_FUNDS'
  /** Declined by the issuer, no reason given. */
  | 'DECLINED';

export type BankOutcome =
  | { status: 'succeeded' | 'pending'; failureReason?: undefined; bankReference: string }
  | { status: 'failed'; failureReason: BankFailureReason; bankReference: string };

export type BankOperation = BankOutcome & {
  operationId: string;
  kind: BankOperationKind;
  amountMinor: bigint;
  currency: string;
  createdAt: Date;
  /** When the bank reached the final status; null while pending. */
  completedAt: Date | null;
};

/** A card as the wallet keeps it: never the number itself. */
export interface CardToken {
  /** Opaque, stable for a card number: the same number always gets the same token. */
  cardToken: string;
  last4: string;
  /** The first 6 digits. */
  bin: string;
}

export interface VerifyCardRequest {
  cardNumber: string;
  holderName: string;
  idNumber: string;
  /** The phone number the card holder registered at the bank. */
  phone: string;
}

export type CardVerificationResult = 'MATCH' | 'MISMATCH' | 'CARD_INVALID' | 'CARD_FROZEN' | 'UNAVAILABLE';

export interface CardVerification {
  result: CardVerificationResult;
  /** The bank's reference for audits; never contains the inputs. */
  bankReference: string;
}

export interface SendCardSmsCodeRequest {
  cardNumber: string;
  phone: string;
  purpose: 'bind';
}

/**
 * `expired` also covers a code already used, an unknown verification and a code locked after
 * too many wrong tries: in each case the holder needs a new code.
 */
export type CardSmsCodeResult = 'ok' | 'wrong' | 'expired';

export interface DebitCardRequest {
  operationId: string;
  cardToken: string;
  amountMinor: bigint;
  currency: string;
  /** Shown on the card statement; at most 140 characters. */
  description: string;
}

export interface CreditCardRequest {
  operationId: string;
  cardToken: string;
  amountMinor: bigint;
  currency: string;
}

export interface CreditBankAccountRequest {
  operationId: string;
  /** Digits (spaces and dashes allowed), 8–32 of them: `normaliseAccountNumber`. */
  accountNumber: string;
  accountName: string;
  /** A code of `BANKS` (bins.ts), e.g. `ICBC`. */
  bankCode: string;
  amountMinor: bigint;
  currency: string;
}

/** One line of the bank's daily settlement file. */
export interface SettlementLine {
  operationId: string;
  bankReference: string;
  kind: BankOperationKind;
  amountMinor: bigint;
  currency: string;
  /** `succeeded` lines moved money; `failed` lines are listed so the wallet can check its voids. */
  status: 'succeeded' | 'failed';
  settledAt: Date;
}

export interface BankAdapter {
  /** For logs and the start-up banner, e.g. `sandbox`. */
  readonly name: string;

  /** Tokenise a Luhn-valid card number (`BankRequestError` otherwise). */
  tokeniseCard(cardNumber: string): Promise<CardToken>;

  /** Four-factor check: card number, holder name, ID number, the card's phone. */
  verifyCard(request: VerifyCardRequest): Promise<CardVerification>;
  /** The bank texts its own code to the card's phone. */
  sendCardSmsCode(request: SendCardSmsCodeRequest): Promise<{ verificationId: string }>;
  confirmCardSmsCode(request: { verificationId: string; code: string }): Promise<CardSmsCodeResult>;

  /** Top-up: pull money from the card into the settlement account that backs the wallet. */
  debitCard(request: DebitCardRequest): Promise<BankOutcome>;
  /** Withdrawal: pay from the settlement account to the card. */
  creditCard(request: CreditCardRequest): Promise<BankOutcome>;
  /** Transfer out: pay from the settlement account to any bank account. */
  creditBankAccount(request: CreditBankAccountRequest): Promise<BankOutcome>;

  /** The operation's current status, or null if the bank never received it. */
  getOperation(operationId: string): Promise<BankOperation | null>;

  /**
   * The bank's daily file for a calendar day in Asia/Shanghai (`YYYY-MM-DD`): every operation
   * that reached its final status that day, in order. A day not yet over gives the lines so far.
   */
  settlementFile(date: string): Promise<SettlementLine[]>;
}

/** The request went out but no answer came back: the operation's fate is unknown. */
export class BankTimeoutError extends Error {
  readonly code = 'BANK_TIMEOUT';

  constructor(readonly operationId: string | null) {
    super('the bank did not answer in time; ask getOperation for the outcome');
    this.name = 'BankTimeoutError';
  }
}

/** The request never reached the bank (connection refused, maintenance): nothing happened. */
export class BankUnavailableError extends Error {
  readonly code = 'BANK_UNAVAILABLE';

  constructor(readonly retryAfterSeconds: number) {
    super('the bank is unavailable; nothing was done');
    this.name = 'BankUnavailableError';
  }
}

export type BankRequestErrorCode =
  /** A malformed request: the caller should have validated it. Nothing happened. */
  | 'INVALID_REQUEST'
  /** The operationId was used before with different content. */
  | 'OPERATION_CONFLICT'
  /** Too many SMS codes for this card recently. */
  | 'SMS_RATE_LIMITED';

export class BankRequestError extends Error {
  constructor(
    readonly code: BankRequestErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'BankRequestError';
  }
}
