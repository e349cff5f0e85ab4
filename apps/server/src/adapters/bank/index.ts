export {
  BankRequestError,
  BankTimeoutError,
  BankUnavailableError,
  type BankAdapter,
  type BankFailureReason,
  type BankOperation,
  type BankOperationKind,
  type BankOperationStatus,
  type BankOutcome,
  type BankRequestErrorCode,
  type CardSmsCodeResult,
  type CardToken,
  type CardVerification,
  type CardVerificationResult,
  type CreditBankAccountRequest,
  type CreditCardRequest,
  type DebitCardRequest,
  type SendCardSmsCodeRequest,
  type SettlementLine,
  type VerifyCardRequest,
} from './bank.ts';
export {
  BANKS,
  BIN_TABLE,
  isBankCode,
  lookupBin,
  type Bank,
  type BankCode,
  type BinEntry,
  type BinInfo,
  type CardScheme,
  type CardType,
} from './bins.ts';
export {
  binOf,
  cardSchemeOf,
  last4Of,
  luhnValid,
  maskCardNumber,
  maskCardParts,
  normaliseAccountNumber,
  normaliseCardNumber,
  parseCardNumber,
} from './card-number.ts';
export { LIMIT_EXCEEDED_MAGIC_AMOUNT_MINOR, SANDBOX_MAGIC_CARDS, type SandboxMagicCard } from './magic.ts';
export { bankSandboxMigrations } from './migrations.ts';
export {
  CARD_NUMBER_PURPOSE,
  SANDBOX_CURRENCY,
  SANDBOX_DEFAULT_OPENING_BALANCE_MINOR,
  SANDBOX_MAX_AMOUNT_MINOR,
  SandboxBank,
  type SandboxBankAccountView,
  type SandboxBankOptions,
  type SandboxBankSmsCode,
} from './sandbox.ts';
export { bankSandboxDevRoutes, type BankSandboxDevRoutesOptions } from './dev-routes.ts';
