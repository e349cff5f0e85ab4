/**
 * Every error this package throws carries a stable `code`, so the server can map it to a response
 * (and a POS to a message) without matching on message text, which is for people and may change.
 */
export type QrErrorCode = 'MALFORMED' | 'CRC_MISMATCH' | 'MISSING_FIELD' | 'INVALID_FIELD';

/** A merchant QR string (or an object to encode as one) that breaks the EMVCo rules. */
export class QrError extends Error {
  readonly code: QrErrorCode;
  /** The top-level tag at fault ("62", or "62.05" for a sub-field), when there is one. */
  readonly tag: string | undefined;

  constructor(code: QrErrorCode, message: string, tag?: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.tag = tag;
  }
}

/**
 * `PAYMENT_CODE_FORMAT`: not 18 digits. `FOREIGN_PAYMENT_CODE`: 18 digits under another scheme's
 * prefix (a WeChat or Alipay code shown at our POS), worth telling apart so the till can say so.
 * `INVALID_ARGUMENT`: the caller broke a precondition (short secret, index out of range): a bug.
 */
export type PaymentCodeErrorCode = 'PAYMENT_CODE_FORMAT' | 'FOREIGN_PAYMENT_CODE' | 'INVALID_ARGUMENT';

export class PaymentCodeError extends Error {
  readonly code: PaymentCodeErrorCode;

  constructor(code: PaymentCodeErrorCode, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Keeps error messages readable (and logs small) when the rejected input is huge. */
export function quoteForError(text: string): string {
  const chars = Array.from(text);
  const shown = chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : text;
  return JSON.stringify(shown);
}
