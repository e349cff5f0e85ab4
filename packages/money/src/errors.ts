/**
 * Every error this package throws carries a stable `code`, so an API layer can map it to a
 * response without matching on message text (messages are for people and may change).
 */
export type MoneyErrorCode = 'UNKNOWN_CURRENCY' | 'CURRENCY_MISMATCH' | 'MONEY_FORMAT' | 'INVALID_ARGUMENT';

export class MoneyError extends Error {
  readonly code: MoneyErrorCode;

  constructor(code: MoneyErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

export class UnknownCurrencyError extends MoneyError {
  readonly currency: string;

  constructor(currency: string) {
    super('UNKNOWN_CURRENCY', `Unknown currency ${JSON.stringify(currency)}: not in the ISO 4217 registry`);
    this.currency = currency;
  }
}

export class CurrencyMismatchError extends MoneyError {
  readonly leftCurrency: string;
  readonly rightCurrency: string;

  constructor(leftCurrency: string, rightCurrency: string) {
    super('CURRENCY_MISMATCH', `Currency mismatch: ${leftCurrency} and ${rightCurrency}`);
    this.leftCurrency = leftCurrency;
    this.rightCurrency = rightCurrency;
  }
}

/** Text or JSON that does not spell an amount (or a rate) the way this package requires. */
export class MoneyFormatError extends MoneyError {
  constructor(message: string) {
    super('MONEY_FORMAT', message);
  }
}

/** A caller broke a precondition (zero denominator, no positive ratio …): a bug, not user input. */
export class MoneyArgumentError extends MoneyError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** Keeps error messages readable (and logs small) when the rejected input is huge. */
export function quoteForError(text: string): string {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return JSON.stringify(shown);
}
