/**
 * The account directory: which ledger account holds an owner's money of one currency for one
 * purpose (a wallet, fund shares, a loan, escrow), opened the first time someone asks. New
 * capabilities (multi-currency, a money-market fund, loans, red packets) need accounts this way
 * without a schema change: the ledger already has owner, currency and code on every account, and
 * looks them up by those (`findAccounts`, ledger migration 0005). See docs/ledger.md "Accounts
 * per owner, currency and purpose" and ADR 0016.
 *
 * - Idempotent and race-free across processes: an account the directory creates has an id
 *   derived from (owner, code, currency), so any number of concurrent `open`s insert the same
 *   row and the ledger keeps one (`ok` for the first, `exists` for the others).
 * - Accounts made before it (every holder's CNY wallet, created at registration with a random
 *   id) are found by the lookup, which always comes first, and never duplicated.
 * - An account's id never changes, so found ids are kept in memory (bounded).
 */
import { AccountFlags, derivedId, isUuid } from '@qianbao/ledger';
import type { Account, Ledger } from '@qianbao/ledger';
import { isCurrencyCode } from '@qianbao/money';
import { AccountCodes } from './codes.ts';

/** Who may own accounts in the directory; the rest of the reference is their UUID. */
export const OWNER_KINDS = ['user', 'merchant'] as const;
export type OwnerKind = (typeof OWNER_KINDS)[number];
/** `user:<uuid>` (a holder: the identity module's `user:${userId}`), `merchant:<uuid>`. */
export type OwnerRef = `${OwnerKind}:${string}`;

/** What an account of one purpose is, in the ledger. */
export interface PurposeRule {
  /** The chart's account code (platform/codes.ts). */
  code: number;
  /** The ledger's balance rule for it (`AccountFlags`). */
  flags: number;
  /**
   * The side its balance grows on: `credit` for money the operator owes the owner (what the
   * owner holds), `debit` for money the owner owes the operator.
   */
  normal: 'credit' | 'debit';
}

/**
 * The purposes, each with its code and balance rule. The flags are enforced by the ledger in the
 * same batch as the transfer, so they hold under any concurrency:
 *
 * - `wallet`: the owner's spendable money. Never below zero, holds included.
 * - `fundShares`: the owner's money-market fund holding, counted in the fund's currency (a
 *   money-market fund keeps one share worth 1.00: the daily yield arrives as new shares).
 *   Subscriptions credit it, redemptions debit it; a redemption of more than is held fails in
 *   the ledger. A fund whose share price floats would need a unit of its own, not covered here.
 * - `loan`: what the owner owes. Drawing down debits it (and credits the wallet), repaying
 *   credits it; credits may never pass debits, so nobody repays more than they owe and the loan
 *   account never turns into money owed to the owner. The credit line itself (how much may be
 *   drawn) is the loans module's rule: a ledger limit key per loan, not a flag.
 * - `escrow`: money the owner has set aside until others claim it (red packets). Funding credits
 *   it, claims and refunds debit it; never below zero, so claims can never pay out more than was
 *   put in. One escrow per owner and currency pools all their open packets: what each packet
 *   may still pay is the red-packets module's rule (a hold or a limit key per packet).
 * - `merchantBalance`: a merchant's takings (owner `merchant:<id>`): payments credit it, its fees,
 *   refunds and settlements debit it; never below zero, so a merchant never refunds or settles
 *   money it has not taken.
 *
 * - `testMerchantBalance`, `testFeeIncome`, `testPayer`, `testPayerEmpty`: a merchant's test mode
 *   (owner `merchant:<twin id>`, ADR 0022), every one flagged `test`, so the ledger refuses any
 *   transfer between one of them and a live account. The test payer has no overdraft rule: it is
 *   where test money comes from; the empty test payer has one and nothing in it.
 *
 * A purpose, once released, keeps its code and flags: accounts already opened carry them.
 */
export const ACCOUNT_PURPOSES = {
  wallet: { code: AccountCodes.wallet, flags: AccountFlags.debitsMustNotExceedCredits, normal: 'credit' },
  fundShares: {
    code: AccountCodes.fundShares,
    flags: AccountFlags.debitsMustNotExceedCredits,
    normal: 'credit',
  },
  loan: { code: AccountCodes.loan, flags: AccountFlags.creditsMustNotExceedDebits, normal: 'debit' },
  escrow: { code: AccountCodes.escrow, flags: AccountFlags.debitsMustNotExceedCredits, normal: 'credit' },
  merchantBalance: {
    code: AccountCodes.merchantBalance,
    flags: AccountFlags.debitsMustNotExceedCredits,
    normal: 'credit',
  },
  testMerchantBalance: {
    code: AccountCodes.testMerchantBalance,
    flags: AccountFlags.debitsMustNotExceedCredits | AccountFlags.test,
    normal: 'credit',
  },
  testFeeIncome: { code: AccountCodes.testFeeIncome, flags: AccountFlags.test, normal: 'credit' },
  testPayer: { code: AccountCodes.testPayer, flags: AccountFlags.test, normal: 'credit' },
  testPayerEmpty: {
    code: AccountCodes.testPayerEmpty,
    flags: AccountFlags.debitsMustNotExceedCredits | AccountFlags.test,
    normal: 'credit',
  },
} as const satisfies Record<string, PurposeRule>;

export type AccountPurpose = keyof typeof ACCOUNT_PURPOSES;
export const ACCOUNT_PURPOSE_NAMES = Object.keys(ACCOUNT_PURPOSES) as AccountPurpose[];

export function isAccountPurpose(value: unknown): value is AccountPurpose {
  return typeof value === 'string' && Object.hasOwn(ACCOUNT_PURPOSES, value);
}

/** The purpose of an account code, or null for a code the directory does not open. */
export function purposeOfCode(code: number): AccountPurpose | null {
  return ACCOUNT_PURPOSE_NAMES.find((purpose) => ACCOUNT_PURPOSES[purpose].code === code) ?? null;
}

export interface AccountKey {
  owner: OwnerRef;
  /** An ISO 4217 code `@qianbao/money` knows (built in or registered at start-up). */
  currency: string;
  purpose: AccountPurpose;
}

/** A request the directory refuses: the caller named something that does not exist. */
export class AccountDirectoryError extends Error {
  constructor(
    readonly code: 'INVALID_OWNER' | 'UNKNOWN_CURRENCY' | 'UNKNOWN_PURPOSE',
    message: string,
  ) {
    super(message);
    this.name = 'AccountDirectoryError';
  }
}

/**
 * The id the directory gives the account of (owner, purpose, currency) when it creates it.
 * Named by the purpose's code, not its name: a code never changes meaning (codes.ts). Derived
 * ids are UUIDv8 (`derivedId`), in a namespace of their own (`account:`).
 */
export function derivedAccountId(key: AccountKey): string {
  const { owner, currency, purpose } = checked(key);
  return derivedId(`account:${owner}:${ACCOUNT_PURPOSES[purpose].code}:${currency}`);
}

/** One of an owner's accounts, as `list` answers it. */
export interface OwnedAccount {
  purpose: AccountPurpose;
  /** The ledger account, its counters as last committed. */
  account: Account;
}

/** What the directory uses of the ledger. */
export type AccountDirectoryLedger = Pick<Ledger, 'createAccounts' | 'findAccounts'>;

export interface AccountDirectoryOptions {
  /** Ids kept in memory at most (the oldest make room); 100,000 unless given. */
  maxCachedIds?: number;
}

/**
 * The most accounts one owner may hold in the directory: one per purpose and currency. `list`
 * reads at most this many (the ledger's `findAccounts` answers up to 1,000).
 */
const MAX_ACCOUNTS_PER_OWNER = 1000;

export class AccountDirectory {
  /** Found or created ids by `owner|code|currency`. Accounts are never deleted nor re-keyed. */
  private readonly ids = new Map<string, string>();
  /** One lookup per key at a time in this process: concurrent `open`s share it. */
  private readonly opening = new Map<string, Promise<string>>();
  private readonly maxCachedIds: number;

  constructor(
    private readonly ledger: AccountDirectoryLedger,
    options: AccountDirectoryOptions = {},
  ) {
    this.maxCachedIds = options.maxCachedIds ?? 100_000;
  }

  /**
   * The id of the owner's account of this currency and purpose, created now if it has none.
   * Refuses (AccountDirectoryError) an owner reference, currency or purpose it does not know.
   */
  async open(key: AccountKey): Promise<string> {
    const { owner, currency, purpose } = checked(key);
    const rule = ACCOUNT_PURPOSES[purpose];
    const cacheKey = `${owner}|${rule.code}|${currency}`;
    const cached = this.ids.get(cacheKey);
    if (cached !== undefined) return cached;
    let pending = this.opening.get(cacheKey);
    if (pending === undefined) {
      pending = this.findOrCreate(owner, currency, purpose).then(
        (id) => {
          this.opening.delete(cacheKey);
          this.remember(cacheKey, id);
          return id;
        },
        (error: unknown) => {
          this.opening.delete(cacheKey);
          throw error;
        },
      );
      this.opening.set(cacheKey, pending);
    }
    return pending;
  }

  /**
   * The owner's accounts the directory knows a purpose for, as committed, one per purpose and
   * currency (the one `open` answers), ordered by purpose as in ACCOUNT_PURPOSES, then currency.
   * Creates nothing; leaves out a kind whose account `open` would refuse (flags not the purpose's).
   */
  async list(owner: OwnerRef): Promise<OwnedAccount[]> {
    checkOwner(owner);
    // Ledger order: code, currency, oldest first — the first of each kind is the one `open` finds.
    const found = await this.ledger.findAccounts({ ownerRef: owner, limit: MAX_ACCOUNTS_PER_OWNER });
    const owned = new Map<string, OwnedAccount | null>();
    for (const account of found) {
      const purpose = purposeOfCode(account.code);
      const cacheKey = `${owner}|${account.code}|${account.currency}`;
      if (purpose === null || owned.has(cacheKey)) continue;
      // One whose flags are not its purpose's is refused by `open` (checkedAccount): not shown.
      if (account.flags !== ACCOUNT_PURPOSES[purpose].flags) {
        owned.set(cacheKey, null);
        continue;
      }
      owned.set(cacheKey, { purpose, account });
      this.remember(cacheKey, account.id);
    }
    const order = (purpose: AccountPurpose) => ACCOUNT_PURPOSE_NAMES.indexOf(purpose);
    return [...owned.values()]
      .filter((entry) => entry !== null)
      .sort(
        (a, b) =>
          order(a.purpose) - order(b.purpose) ||
          (a.account.currency < b.account.currency ? -1 : a.account.currency > b.account.currency ? 1 : 0),
      );
  }

  /** Lookup first (an account made before the directory has a random id), then create. */
  private async findOrCreate(owner: OwnerRef, currency: string, purpose: AccountPurpose): Promise<string> {
    const rule = ACCOUNT_PURPOSES[purpose];
    const [existing] = await this.ledger.findAccounts({
      ownerRef: owner,
      code: rule.code,
      currency,
      limit: 1,
    });
    if (existing !== undefined) return checkedAccount(existing, rule, purpose);
    const id = derivedAccountId({ owner, currency, purpose });
    const [created] = await this.ledger.createAccounts([
      { id, currency, code: rule.code, ownerRef: owner, flags: rule.flags },
    ]);
    // `exists`: another process (or request) created it between our lookup and our insert.
    if (created?.result === 'ok' || created?.result === 'exists') return id;
    // Someone created an account with this derived id and other fields, or the input is one the
    // ledger refuses after our own checks: either is a bug, not a request to answer.
    throw new Error(
      `account directory: ${purpose} ${currency} of ${owner} (${id}) not created: ${created?.result}`,
    );
  }

  private remember(cacheKey: string, id: string): void {
    if (this.ids.has(cacheKey)) return;
    if (this.ids.size >= this.maxCachedIds) {
      const oldest = this.ids.keys().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
    this.ids.set(cacheKey, id);
  }
}

function checkOwner(owner: unknown): asserts owner is OwnerRef {
  const at = typeof owner === 'string' ? owner.indexOf(':') : -1;
  const kind = at < 0 ? '' : (owner as string).slice(0, at);
  if (!(OWNER_KINDS as readonly string[]).includes(kind) || !isUuid((owner as string).slice(at + 1))) {
    throw new AccountDirectoryError(
      'INVALID_OWNER',
      `an account owner is ${OWNER_KINDS.map((k) => `${k}:<uuid>`).join(' or ')}, not ${JSON.stringify(owner)}`,
    );
  }
}

function checked(key: AccountKey): AccountKey {
  const { owner, currency, purpose } = key;
  checkOwner(owner);
  if (!isAccountPurpose(purpose)) {
    throw new AccountDirectoryError(
      'UNKNOWN_PURPOSE',
      `unknown account purpose ${JSON.stringify(purpose)}: one of ${ACCOUNT_PURPOSE_NAMES.join(', ')}`,
    );
  }
  if (!isCurrencyCode(currency)) {
    throw new AccountDirectoryError(
      'UNKNOWN_CURRENCY',
      `unknown currency ${JSON.stringify(currency)}: an ISO 4217 code known to @qianbao/money`,
    );
  }
  return { owner, currency, purpose };
}

/**
 * An account found by the lookup must be what the purpose says: an owner's wallet without its
 * no-overdraft rule would let money be spent twice. Such an account can only come from outside
 * the directory (the admin ledger API): crash loudly rather than hand it out.
 */
function checkedAccount(account: Account, rule: PurposeRule, purpose: AccountPurpose): string {
  if (account.flags !== rule.flags) {
    throw new Error(
      `account directory: ${account.id} (${purpose} ${account.currency} of ${account.ownerRef}) has flags ${account.flags}, expected ${rule.flags}`,
    );
  }
  return account.id;
}
