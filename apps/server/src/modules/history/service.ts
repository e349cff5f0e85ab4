/**
 * Transaction history (capability C10, history part): every ledger transfer that touches the
 * holder's wallet, newest first, described by the module that made it (the transfers module's
 * records give the counterparty and note) and otherwise by its ledger code. Read from the
 * module's projection of the ledger (`history_entries`, projector.ts): a page, filtered or not,
 * is one indexed query, whatever the length of the holder's history. Each read first catches
 * the projection up with the ledger, so a movement is in history as soon as it was answered.
 */
import type pg from 'pg';
import { isUuid } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import type { ReplicaReads } from '../../replica.ts';
import type { IdentityService } from '../identity/index.ts';
import type { HistoryProjector } from './projector.ts';
import type { Entry, EntryFilter, HistoryStore, TransactionStatus } from './store.ts';

export type { TransactionStatus } from './store.ts';

export const MAX_HISTORY_PAGE = 100;
/**
 * A page's entries still described by their ledger code only are described again on the spot
 * when they are this recent (µs of ledger time): a transfer's record follows its ledger batch
 * within moments. Older ones are left to the events (subscriber.ts) — most never get a record
 * (top-ups, holds, fees are described by their code), and would cost a look on every read.
 */
const REDESCRIBE_WITHIN_MICROS = 5n * 60n * 1_000_000n;

/** What a ledger transfer is, by its code, when no module has a richer record of it. */
export type { CodeLabel as CodeDescription } from '../../platform/codes.ts';

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
  store: HistoryStore;
  projector: Pick<HistoryProjector, 'catchUp' | 'describe'>;
  identity: Pick<IdentityService, 'findUserByPhone'>;
  /** Ledger time now, µs (the recency of `REDESCRIBE_WITHIN_MICROS`); the wall clock unless given. */
  ledgerNowMicros?: () => bigint;
  /** Pages and entries from a replica that has caught up (DATABASE_REPLICA_URL, ADR 0027). */
  reads?: ReplicaReads | undefined;
}

export class HistoryService {
  private readonly ledgerNowMicros: () => bigint;

  constructor(private readonly deps: HistoryServiceDeps) {
    this.ledgerNowMicros = deps.ledgerNowMicros ?? (() => BigInt(Date.now()) * 1000n);
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
    // The cursor is the ledger time of the last item of the previous page, as it always was:
    // times are unique within one wallet, so it alone says where the next page starts.
    const beforeTs = input.cursor !== null ? parseCursor(input.cursor) : null;
    const counterparty = await this.counterpartyFilter(filter.counterparty);
    if (counterparty === null) return { transactions: [], nextCursor: null };
    const { lastTs } = await this.deps.projector.catchUp();
    const page = await this.caughtUp(lastTs, (pool) =>
      this.deps.store.page({
        pool,
        accountId: input.walletAccountId,
        beforeTs,
        limit,
        filter: {
          type: filter.type,
          direction: filter.direction,
          fromMicros: filter.from ? BigInt(filter.from.getTime()) * 1000n : undefined,
          // Up to the end of the given millisecond, as dates are compared to the millisecond.
          toMicros: filter.to ? BigInt(filter.to.getTime()) * 1000n + 999n : undefined,
          minAmountMinor: filter.minAmountMinor,
          maxAmountMinor: filter.maxAmountMinor,
          ...counterparty,
          q: filter.q,
        },
      }),
    );
    const entries = await this.describedNow(page.entries);
    const last = entries[entries.length - 1];
    return {
      transactions: entries.map(transactionOf),
      nextCursor: page.more && last ? last.ts.toString() : null,
    };
  }

  /** One transaction of the holder's wallet with its timeline; another wallet's id is 404. */
  async get(input: {
    userId: string;
    walletAccountId: string;
    id: string;
  }): Promise<{ transaction: Transaction; timeline: TimelineEntry[] }> {
    if (!isUuid(input.id)) throw new AppError('TRANSACTION_NOT_FOUND');
    const { lastTs } = await this.deps.projector.catchUp();
    const [found, hold] = await this.caughtUp(lastTs, async (pool) => {
      const entry = await this.deps.store.get(input.walletAccountId, input.id, pool);
      // A hold and its post or release move the same wallet: the hold is an entry of it too.
      const pending = entry?.pendingId
        ? await this.deps.store.get(input.walletAccountId, entry.pendingId, pool)
        : null;
      return [entry, pending] as const;
    });
    if (!found) throw new AppError('TRANSACTION_NOT_FOUND');
    const [entry] = await this.describedNow([found]);
    const timeline: TimelineEntry[] = [];
    if (entry!.pendingId) {
      if (hold)
        timeline.push({ status: 'pending', at: dateOf(hold.ts), ledgerTransferId: hold.ledgerTransferId });
    }
    timeline.push({
      status: entry!.status,
      at: dateOf(entry!.ts),
      ledgerTransferId: entry!.ledgerTransferId,
    });
    return { transaction: transactionOf(entry!), timeline };
  }

  /**
   * `read` where it sees everything projected up to `cursor` (what this request's catch-up
   * reached): a replica that has replayed that far, else the primary (read-your-writes).
   */
  private caughtUp<T>(cursor: bigint, read: (pool: pg.Pool | undefined) => Promise<T>): Promise<T> {
    const reads = this.deps.reads;
    if (!reads) return read(undefined);
    return reads.read(async (replica) => (await this.deps.store.cursor(replica)) >= cursor, read);
  }

  /** The page's recent entries still waiting for their record, described again (and stored). */
  private async describedNow(entries: Entry[]): Promise<Entry[]> {
    const since = this.ledgerNowMicros() - REDESCRIBE_WITHIN_MICROS;
    const waiting = entries.filter((entry) => !entry.described && entry.ts >= since);
    if (waiting.length === 0) return entries;
    const again = await this.deps.projector.describe(waiting);
    const now = new Map(
      again.filter((entry) => entry.described).map((entry) => [entry.ledgerTransferId, entry]),
    );
    if (now.size === 0) return entries;
    await this.deps.store.describe([...now.values()]);
    return entries.map((entry) => now.get(entry.ledgerTransferId) ?? entry);
  }

  /**
   * A mobile number is that holder exactly (`null`: nobody has it, so nothing matches); other
   * text is looked for in the counterparty's masked name.
   */
  private async counterpartyFilter(
    counterparty: string | undefined,
  ): Promise<Pick<EntryFilter, 'counterpartyUserId' | 'counterpartyText'> | null> {
    if (!counterparty) return {};
    if (!/^[+\d\s-]{11,20}$/.test(counterparty)) return { counterpartyText: counterparty };
    const user = await this.deps.identity.findUserByPhone(counterparty);
    return user ? { counterpartyUserId: user.id } : null;
  }
}

function transactionOf(entry: Entry): Transaction {
  return {
    id: entry.ledgerTransferId,
    type: entry.type,
    label: entry.label,
    direction: entry.direction,
    amountMinor: entry.amountMinor,
    currency: entry.currency,
    status: entry.status,
    counterparty: entry.counterpartyDisplay !== null ? { displayName: entry.counterpartyDisplay } : null,
    note: entry.note,
    ledgerCode: entry.ledgerCode,
    pendingId: entry.pendingId,
    paymentRequestId: entry.paymentRequestId,
    createdAt: dateOf(entry.ts),
    counterpartyUserId: entry.counterpartyUserId,
    parties: entry.parties,
    fundingId: entry.fundingId,
  };
}

function dateOf(micros: bigint): Date {
  return new Date(Number(micros / 1000n));
}

const MAX_BIGINT = (1n << 63n) - 1n;

function parseCursor(cursor: string): bigint {
  if (!/^\d{1,19}$/.test(cursor) || BigInt(cursor) > MAX_BIGINT) throw new AppError('INVALID_CURSOR');
  return BigInt(cursor);
}
