import { isBankCode, luhnValid, normaliseAccountNumber } from '../../adapters/bank/index.ts';
import type { BankCode } from '../../adapters/bank/index.ts';
import type { SecretBox } from '../../crypto/secret-box.ts';
import { AppError } from '../../errors.ts';
import { isPlausibleLegalName } from '../kyc/id-number.ts';
import { maskName } from '../kyc/index.ts';
import { FUNDING_SEALED } from './module.ts';

/** A bank account as the holder typed it (transfer to a bank account of any bank). */
export interface BankAccountInput {
  bankCode: string;
  accountNumber: string;
  accountName: string;
}

export interface BankAccount {
  bankCode: BankCode;
  /** Digits only. Never logged, never returned; sealed at rest. */
  accountNumber: string;
  /** Trimmed, inner spaces collapsed. Sealed at rest; only `maskedName` is shown. */
  accountName: string;
  last4: string;
  maskedName: string;
}

const NUMBER_PURPOSE = FUNDING_SEALED.accountNumber;
const NAME_PURPOSE = FUNDING_SEALED.accountName;
const PAYEE_PURPOSE = 'funding:bank-account-payee';

/**
 * Check an account before anything else happens, so bad input changes nothing and gets its own
 * code: the bank among those we route to (`BANK_CODE_UNKNOWN`), 8–32 digits
 * (`BANK_ACCOUNT_NUMBER_INVALID` `reason: format`) and, for what looks like a UnionPay card
 * number (62…, 13–19 digits — how most holders are paid), the Luhn check (`reason: checksum`);
 * a person's name as on their ID (`ACCOUNT_NAME_INVALID`). Whether the name belongs to the
 * account only the bank knows: it answers `NAME_MISMATCH` and the hold is released.
 */
export function parseBankAccount(input: BankAccountInput): BankAccount {
  if (!isBankCode(input.bankCode)) {
    throw new AppError('BANK_CODE_UNKNOWN', { details: { bankCode: input.bankCode.slice(0, 16) } });
  }
  const accountNumber = normaliseAccountNumber(input.accountNumber);
  if (accountNumber === null) {
    throw new AppError('BANK_ACCOUNT_NUMBER_INVALID', {
      details: { reason: 'format', minDigits: 8, maxDigits: 32 },
    });
  }
  if (/^62\d{11,17}$/.test(accountNumber) && !luhnValid(accountNumber)) {
    throw new AppError('BANK_ACCOUNT_NUMBER_INVALID', { details: { reason: 'checksum' } });
  }
  const accountName = input.accountName.trim().replace(/\s+/g, ' ');
  if (!isPlausibleLegalName(accountName)) throw new AppError('ACCOUNT_NAME_INVALID');
  return {
    bankCode: input.bankCode,
    accountNumber,
    accountName,
    last4: accountNumber.slice(-4),
    maskedName: maskName(accountName),
  };
}

/**
 * The payee a confirmation is bound to: the bank, the last 4 and a keyed digest of the whole
 * account (number and name), so a passkey signed for one account cannot pay another, while the
 * stored confirmation holds no account number.
 */
export function bankAccountPayee(account: BankAccount, secrets: Pick<SecretBox, 'blindIndex'>): string {
  const digest = secrets
    .blindIndex(
      `${account.bankCode}\u0000${account.accountNumber}\u0000${account.accountName}`,
      PAYEE_PURPOSE,
    )
    .subarray(0, 16)
    .toString('hex');
  return `bank:${account.bankCode}:${account.last4}:${digest}`;
}

export function sealBankAccount(account: BankAccount, secrets: Pick<SecretBox, 'seal'>) {
  return {
    numberSealed: secrets.seal(account.accountNumber, NUMBER_PURPOSE),
    nameSealed: secrets.seal(account.accountName, NAME_PURPOSE),
  };
}

export function openBankAccount(
  sealed: { numberSealed: string; nameSealed: string },
  secrets: Pick<SecretBox, 'open'>,
): { accountNumber: string; accountName: string } {
  return {
    accountNumber: secrets.open(sealed.numberSealed, NUMBER_PURPOSE),
    accountName: secrets.open(sealed.nameSealed, NAME_PURPOSE),
  };
}

/** `**** 7894`: bank account numbers show their last 4 only. */
export function maskAccountNumber(last4: string): string {
  return `**** ${/^\d{4}$/.test(last4) ? last4 : '****'}`;
}
