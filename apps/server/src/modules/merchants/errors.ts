import type { ErrorMapping } from '../../errors.ts';

/** The merchants module's error codes; each has a row in docs/api/errors.md. */
export type MerchantsErrorCode =
  | 'MERCHANT_NOT_FOUND'
  | 'MERCHANT_SELECTOR_REQUIRED'
  | 'STAFF_HOLDER_NOT_FOUND'
  | 'STAFF_EXISTS'
  | 'STAFF_IS_OWNER'
  | 'STAFF_NOT_FOUND'
  | 'CHECKOUT_NOT_FOUND'
  | 'MERCHANT_REGISTRATION_INVALID'
  | 'MERCHANT_REGISTRATION_TAKEN'
  | 'MERCHANT_DOCUMENT_INVALID'
  | 'MERCHANT_NOT_PENDING'
  | 'MERCHANT_EXISTS'
  | 'MERCHANT_REAL_NAME_REQUIRED'
  | 'MERCHANT_NOT_ACTIVE'
  | 'MERCHANT_QR_INVALID'
  | 'MERCHANT_QR_FOREIGN'
  | 'MERCHANT_AMOUNT_REQUIRED'
  | 'MERCHANT_BALANCE_INSUFFICIENT'
  | 'ORDER_NOT_FOUND'
  | 'ORDER_ID_REUSED'
  | 'ORDER_ALREADY_PAID'
  | 'ORDER_CLOSED'
  | 'ORDER_EXPIRED'
  | 'TEST_MODE_ORDER'
  | 'TEST_MODE_ONLY'
  | 'TEST_MODE_UNSUPPORTED'
  | 'TEST_MODE_PAYMENT_CODE'
  | 'ORDER_BEING_PAID'
  | 'ORDER_NOT_CLOSABLE'
  | 'ORDER_NOT_PAID'
  | 'REFUND_NOT_FOUND'
  | 'REFUND_ID_REUSED'
  | 'REFUND_EXCEEDS_PAID'
  | 'PAYMENT_CODE_INVALID'
  | 'PAYMENT_CODE_EXPIRED'
  | 'PAYMENT_CODE_USED'
  | 'PAYMENT_CODE_DEVICE_LOST'
  | 'CHARGE_NOT_FOUND'
  | 'CHARGE_NOT_AWAITING'
  | 'SETTLEMENT_CARD_REQUIRED'
  | 'SETTLEMENT_CARD_INVALID'
  | 'SETTLEMENT_NOTHING_TO_SETTLE'
  | 'SETTLEMENT_EXCEEDS_BALANCE'
  | 'SETTLEMENT_IN_PROGRESS'
  | 'SETTLEMENT_NOT_FOUND'
  | 'SETTLEMENT_DECLINED'
  | 'SETTLEMENT_INTERRUPTED'
  | 'STATEMENT_DATE_INVALID'
  | 'STATEMENT_TOO_LARGE';

export const MERCHANTS_ERRORS: Record<MerchantsErrorCode, ErrorMapping> = {
  MERCHANT_NOT_FOUND: { status: 404, message: 'No such merchant.' },
  MERCHANT_SELECTOR_REQUIRED: {
    status: 400,
    message: 'You work at several merchants: name one in the Qianbao-Merchant header.',
  },
  STAFF_HOLDER_NOT_FOUND: { status: 404, message: 'No Qianbao wallet has this phone number.' },
  STAFF_EXISTS: { status: 409, message: 'This holder is already on the staff.' },
  STAFF_IS_OWNER: { status: 409, message: 'The owner is not added as staff.' },
  STAFF_NOT_FOUND: { status: 404, message: 'No such staff member.' },
  MERCHANT_REGISTRATION_INVALID: {
    status: 400,
    message: 'The unified social credit code is not valid (18 characters with a check character).',
  },
  MERCHANT_REGISTRATION_TAKEN: { status: 409, message: 'A merchant with this credit code exists already.' },
  MERCHANT_DOCUMENT_INVALID: {
    status: 400,
    message:
      'The business licence is missing or unreadable: one file named business_license, JPEG, PNG or PDF, at most 5 MB.',
  },
  MERCHANT_NOT_PENDING: {
    status: 409,
    message: 'This merchant was decided already; details.status says how.',
  },
  CHECKOUT_NOT_FOUND: { status: 404, message: 'No such checkout: the link is wrong or incomplete.' },
  MERCHANT_EXISTS: { status: 409, message: 'You have a merchant already.' },
  MERCHANT_REAL_NAME_REQUIRED: {
    status: 403,
    message: 'Verify your real name before you open a merchant.',
  },
  MERCHANT_NOT_ACTIVE: { status: 403, message: 'This merchant cannot take payments now.' },
  MERCHANT_QR_INVALID: {
    status: 400,
    message: 'This is not a merchant payment code, or it is damaged; details.reason says why.',
  },
  MERCHANT_QR_FOREIGN: {
    status: 422,
    message: 'This code belongs to another payment scheme; it cannot be paid from this wallet.',
  },
  MERCHANT_AMOUNT_REQUIRED: { status: 400, message: "Enter the amount: this merchant's code has none." },
  MERCHANT_BALANCE_INSUFFICIENT: {
    status: 409,
    message: "The merchant's balance is too low for this refund.",
  },
  ORDER_NOT_FOUND: { status: 404, message: 'No such order.' },
  ORDER_ID_REUSED: {
    status: 409,
    message: 'This order number was used for another order (another amount or description).',
  },
  ORDER_ALREADY_PAID: { status: 409, message: 'This order is paid already.' },
  ORDER_CLOSED: { status: 409, message: 'The merchant closed this order.' },
  ORDER_EXPIRED: { status: 410, message: 'This order has expired; ask the merchant for a new code.' },
  TEST_MODE_ORDER: {
    status: 409,
    message:
      "This is a test order (made with a test key): a wallet cannot pay it, only the checkout's test payers.",
  },
  TEST_MODE_ONLY: {
    status: 409,
    message: 'Only test orders (made with a test key) can be paid by a test payer.',
  },
  TEST_MODE_PAYMENT_CODE: {
    status: 422,
    message:
      'In test mode a till charges the test payment codes: 289999000000000000 (pays) or 289999000000000051 ' +
      '(insufficient funds).',
  },
  TEST_MODE_UNSUPPORTED: {
    status: 409,
    message: 'Test mode does not do this: `details.feature` names what needs a live key.',
  },
  ORDER_BEING_PAID: {
    status: 409,
    message: 'Someone is paying this order right now; look at it again in a moment.',
    retryAfterSeconds: 1,
  },
  ORDER_NOT_CLOSABLE: {
    status: 409,
    message: 'Only an order nobody has paid can be closed; details.status says where it is.',
  },
  ORDER_NOT_PAID: { status: 409, message: 'Only a paid order can be refunded.' },
  REFUND_NOT_FOUND: { status: 404, message: 'No such refund.' },
  REFUND_ID_REUSED: {
    status: 409,
    message: 'This refund number was used for another refund (another amount or reason).',
  },
  REFUND_EXCEEDS_PAID: {
    status: 409,
    message: 'The refunds would pass what was paid; details.remaining says what can still be refunded.',
  },
  PAYMENT_CODE_INVALID: {
    status: 400,
    message: 'This is not a valid Qianbao payment code; ask the customer to show the code again.',
  },
  PAYMENT_CODE_EXPIRED: {
    status: 410,
    message: 'This payment code has expired; ask the customer to show the code again.',
  },
  PAYMENT_CODE_USED: {
    status: 409,
    message: 'This payment code was used already; ask the customer to show a new one.',
  },
  PAYMENT_CODE_DEVICE_LOST: {
    status: 403,
    message: 'This device was reported lost: it cannot show payment codes.',
  },
  CHARGE_NOT_FOUND: { status: 404, message: 'No such charge.' },
  CHARGE_NOT_AWAITING: {
    status: 409,
    message: 'This charge is not waiting for your confirmation; details.status says where it is.',
  },
  SETTLEMENT_CARD_REQUIRED: {
    status: 409,
    message: 'Name a settlement card first (PUT /v1/me/merchant/settlement-card); the one named was unbound.',
  },
  SETTLEMENT_CARD_INVALID: {
    status: 422,
    message: 'Only an active debit card of your own can be the settlement card; details.reason says why.',
  },
  SETTLEMENT_NOTHING_TO_SETTLE: { status: 409, message: "The merchant's balance has nothing to settle." },
  SETTLEMENT_EXCEEDS_BALANCE: {
    status: 409,
    message: "The amount is more than the merchant's balance can settle; details.available says what can.",
  },
  SETTLEMENT_IN_PROGRESS: {
    status: 409,
    message: 'A settlement of this merchant is still running (details.settlementId); wait for it to end.',
  },
  SETTLEMENT_NOT_FOUND: { status: 404, message: 'No such settlement.' },
  SETTLEMENT_DECLINED: {
    status: 422,
    message:
      'The bank refused to pay the settlement card (details.reason); the money is back in the balance.',
  },
  SETTLEMENT_INTERRUPTED: {
    status: 409,
    message:
      'The settlement was interrupted before the bank saw it and was cancelled; the money is back in the balance.',
  },
  STATEMENT_DATE_INVALID: {
    status: 400,
    message:
      'A statement is for a calendar day (YYYY-MM-DD, Asia/Shanghai) from the merchant’s opening to today.',
  },
  STATEMENT_TOO_LARGE: {
    status: 422,
    message: 'This day has more movements than one statement holds; ask support for an export.',
  },
};
