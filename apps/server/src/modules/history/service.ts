/**
 * Transaction history (capability C10, history part): every ledger transfer that touches the
 * holder's wallet, newest first, described by the module that made it (the transfers module's
 * records give the counterparty and note) and otherwise by its ledger code. This module has no
 * tables: the ledger is the record of what happened, the other modules say why.
 */
import { TransferFlags, isUuid } from '@qianbao/ledger';
import type { Ledger, Transfer } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import { TransferCodes, transferCodeLabels } from '../../platform/codes.ts';
import type { CodeLabel } from '../../platform/codes.ts';
import type { FundingDescription } from '../funding/index.ts';
import type { IdentityService } from '../identity/index.ts';
import type { TransferView, TransfersService } from '../transfers/index.ts';

export const MAX_HISTORY_PAGE = 100;
/** Filters are applied while reading the ledger; one page reads at most this many transfers. */
const MAX_SCANNED_PER_PAGE = 1000;
const LEDGER_PAGE = 200;

export type TransactionStatus = 'succeeded' | 'pending' | 'released';

/** What a ledger transfer is, by its code, when no module has a richer record of it. */
export type CodeDescription = CodeLabel;

const OTHER: CodeDescription = { type: 'other', label: { 'zh-CN': '资金变动', en: 'Wallet movement' } };

export interface Transaction {
  /** The ledger transfer id. */
  id: string;
  type: string;
  label: { 'zh-CN': string; en: string };
  direction: 'in' | 'out';
  amountMinor: bigint;
  currency: string;
  status: TransactionStatus;
  counterparty: { displayName: string } | null;
  note: string | null;
  ledgerCode: number;
  /** For a post or release: the hold it resolves. */
  pendingId: string | null;
  paymentRequestId: string | null;
  createdAt: Date;
  /** Server-side only (filters). */
  counterpartyUserId: string | null;
  /** Both sides, masked, when the transfers module recorded them (receipts). */
  parties: { payer: string; payee: string } | null;
  /** A bank transfer's operation (GET /v1/me/funding/:id has its status timeline). */
  fundingId: string | null;
}

export interface TimelineEntry {
  status: 'pending' | 'succeeded' | 'released';
  at: Date;
  ledgerTransferId: string;
}

export interface TransactionFilter {
  type?: string | undefined;
  direction?: 'in' | 'out' | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  minAmountMinor?: bigint | undefined;
  maxAmountMinor?: bigint | undefined;
  /** A mobile number (exact counterparty) or text in the counterparty's masked name. */
  counterparty?: string | undefined;
  /** Free text in the note, the counterparty's name or the label. */
  q?: string | undefined;
}

export interface HistoryServiceDeps {
  ledger: Pick<Ledger, 'listTransfers' | 'getTransfer'>;
  transfers: Pick<TransfersService, 'describe'>;
  /** The funding module's records of its bank transfers (the account, the note). */
  funding?: {
    describeLedgerTransfers(input: {
      viewerUserId: string;
      transfers: readonly Transfer[];
    }): Promise<Map<string, FundingDescription>>;
  };
  identity: Pick<IdentityService, 'findUserByPhone'>;
}

export class HistoryService {
  private readonly codes: Record<number, CodeDescription>;

  constructor(private readonly deps: HistoryServiceDeps) {
    // Every code the server makes is labelled in the chart (platform/codes.ts).
    this.codes = transferCodeLabels();
  }

  async list(input: {
    userId: string;
    walletAccountId: string;
    filter: TransactionFilter;
    cursor: string | null;
    limit: number;
  }): Promise<{ transactions: Transaction[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(1, Math.trunc(input.limit)), MAX_HISTORY_PAGE);
    const { filter } = input;
    const fromMicros = filter.from ? BigInt(filter.from.getTime()) * 1000n : null;
    let cursor = input.cursor !== null ? parseCursor(input.cursor) : null;
    if (cursor === null && filter.to) cursor = (BigInt(filter.to.getTime()) * 1000n + 1n).toString();
    const counterpartyUserId = await this.counterpartyUserId(filter.counterparty);
    const found: Transaction[] = [];
    let scanned = 0;
    for (;;) {
      const page = await this.deps.ledger.listTransfers(input.walletAccountId, {
        limit: LEDGER_PAGE,
        cursor,
      });
      const described = await this.describeAll(input.userId, input.walletAccountId, page.transfers);
      for (const [index, transaction] of described.entries()) {
        const transfer = page.transfers[index]!;
        scanned += 1;
        cursor = transfer.timestamp.toString();
        if (fromMicros !== null && transfer.timestamp < fromMicros)
          return { transactions: found, nextCursor: null };
        if (matches(transaction, filter, counterpartyUserId)) found.push(transaction);
        const more = index < described.length - 1 || page.nextCursor !== null;
        if (found.length === limit) return { transactions: found, nextCursor: more ? cursor : null };
        if (scanned >= MAX_SCANNED_PER_PAGE) return { transactions: found, nextCursor: more ? cursor : null };
      }
      if (!page.nextCursor) return { transactions: found, nextCursor: null };
      cursor = page.nextCursor;
    }
  }

  /** One transaction of the holder's wallet with its timeline; another wallet's id is 404. */
  async get(input: {
    userId: string;
    walletAccountId: string;
    id: string;
  }): Promise<{ transaction: Transaction; timeline: TimelineEntry[] }> {
    const transfer = isUuid(input.id) ? await this.deps.ledger.getTransfer(input.id) : null;
    if (
      !transfer ||
      (transfer.debitAccountId !== input.walletAccountId &&
        transfer.creditAccountId !== input.walletAccountId)
    ) {
      throw new AppError('TRANSACTION_NOT_FOUND');
    }
    const [transaction] = await this.describeAll(input.userId, input.walletAccountId, [transfer]);
    const timeline: TimelineEntry[] = [];
    if (transfer.pendingId) {
      const hold = await this.deps.ledger.getTransfer(transfer.pendingId);
      if (hold) timeline.push({ status: 'pending', at: dateOf(hold.timestamp), ledgerTransferId: hold.id });
    }
    timeline.push({
      status: statusOf(transfer),
      at: dateOf(transfer.timestamp),
      ledgerTransferId: transfer.id,
    });
    return { transaction: transaction!, timeline };
  }

  private async describeAll(
    userId: string,
    walletAccountId: string,
    transfers: Transfer[],
  ): Promise<Transaction[]> {
    const [records, funding] = await Promise.all([
      this.deps.transfers.describe({
        viewerUserId: userId,
        ledgerTransferIds: transfers.map((transfer) => transfer.id),
      }),
      this.deps.funding?.describeLedgerTransfers({ viewerUserId: userId, transfers }) ??
        new Map<string, FundingDescription>(),
    ]);
    return transfers.map((transfer) => {
      const described = this.describeOne(transfer, walletAccountId, records.get(transfer.id));
      const operation = funding.get(transfer.id);
      return operation
        ? {
            ...described,
            counterparty: operation.counterparty,
            note: operation.note,
            fundingId: operation.fundingId,
          }
        : described;
    });
  }

  private describeOne(
    transfer: Transfer,
    walletAccountId: string,
    record: TransferView | undefined,
  ): Transaction {
    const byCode = this.codes[transfer.code] ?? OTHER;
    const description =
      record?.kind === 'payment_request'
        ? (this.codes[TransferCodes.paymentRequest] ?? byCode)
        : record
          ? (this.codes[TransferCodes.p2p] ?? byCode)
          : byCode;
    return {
      id: transfer.id,
      type: description.type,
      label: description.label,
      direction: transfer.debitAccountId === walletAccountId ? 'out' : 'in',
      amountMinor: transfer.amount,
      currency: transfer.currency,
      status: statusOf(transfer),
      counterparty: record ? record.counterparty : null,
      note: record?.note ?? null,
      ledgerCode: transfer.code,
      pendingId: transfer.pendingId,
      paymentRequestId: record?.paymentRequestId ?? null,
      createdAt: dateOf(transfer.timestamp),
      counterpartyUserId: record?.counterpartyUserId ?? null,
      parties: record ? { payer: record.payer.displayName, payee: record.payee.displayName } : null,
      fundingId: null,
    };
  }

  private async counterpartyUserId(counterparty: string | undefined): Promise<string | null | undefined> {
    if (!counterparty || !/^[+\d\s-]{11,20}$/.test(counterparty)) return undefined;
    const user = await this.deps.identity.findUserByPhone(counterparty);
    return user?.id ?? null;
  }
}

function matches(
  transaction: Transaction,
  filter: TransactionFilter,
  counterpartyUserId: string | null | undefined,
): boolean {
  if (filter.type && transaction.type !== filter.type) return false;
  if (filter.direction && transaction.direction !== filter.direction) return false;
  if (filter.to && transaction.createdAt > filter.to) return false;
  if (filter.minAmountMinor !== undefined && transaction.amountMinor < filter.minAmountMinor) return false;
  if (filter.maxAmountMinor !== undefined && transaction.amountMinor > filter.maxAmountMinor) return false;
  if (filter.counterparty) {
    if (counterpartyUserId !== undefined) {
      if (counterpartyUserId === null || transaction.counterpartyUserId !== counterpartyUserId) return false;
    } else if (!transaction.counterparty?.displayName.includes(filter.counterparty)) {
      return false;
    }
  }
  if (filter.q) {
    const needle = filter.q.toLowerCase();
    const haystack = [
      transaction.note,
      transaction.counterparty?.displayName,
      transaction.label['zh-CN'],
      transaction.label.en,
    ]
      .filter((text): text is string => typeof text === 'string')
      .join('\n')
      .toLowerCase();
    if (!haystack.includes(needle)) return false;
  }
  return true;
}

function statusOf(transfer: Transfer): TransactionStatus {
  if (transfer.flags & TransferFlags.pending) return 'pending';
  if (transfer.flags & TransferFlags.voidPending) return 'released';
  return 'succeeded';
}

function dateOf(micros: bigint): Date {
  return new Date(Number(micros / 1000n));
}

function parseCursor(cursor: string): string {
  if (!/^\d{1,19}$/.test(cursor)) throw new AppError('INVALID_CURSOR');
  return cursor;
}
