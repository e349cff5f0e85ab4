import { BankUnavailableError } from './bank.ts';
import type { BankAdapter } from './bank.ts';

/**
 * The bank of a production server that has no bank integration configured yet: every call says
 * the bank is unavailable (nothing happened), so cards cannot be bound and no money moves.
 */
export class UnconfiguredBank implements BankAdapter {
  readonly name = 'unconfigured';

  private unavailable(): Promise<never> {
    return Promise.reject(new BankUnavailableError(3600));
  }

  tokeniseCard = () => this.unavailable();
  verifyCard = () => this.unavailable();
  sendCardSmsCode = () => this.unavailable();
  confirmCardSmsCode = () => this.unavailable();
  debitCard = () => this.unavailable();
  creditCard = () => this.unavailable();
  creditBankAccount = () => this.unavailable();
  getOperation = () => this.unavailable();
  settlementFile = () => this.unavailable();
}
