/**
 * The history projection's feed: ledger transfers, in ledger time order, become entries of the
 * holders' wallets they touch (store.ts), described by the module that made them.
 *
 * - **Complete and in order.** Ledger times are unique and given in commit order under the
 *   ledger's head lock, so "every transfer up to ts T is projected" (`history_cursor`) is a
 *   cursor that never skips: `catchUp` reads what follows it (`listTransfersAfter`, bounded
 *   chunks over the BRIN index on ts), writes the entries and moves the cursor in one
 *   transaction. Re-projecting is harmless (upserts).
 * - **One writer at a time** across processes: a transaction-level advisory lock around the
 *   upsert and the cursor's move, which happen only if the cursor is still the one the chunk was
 *   read after (else the chunk is read again from the new cursor). A caller that finds the lock
 *   taken *waits*: a reader needs every transfer committed before its request, and the holder
 *   may have read the ledger before that one committed. Reading and describing happen before the
 *   lock, so it is held for the writes alone. In one process, callers share runs (one running,
 *   at most one queued that every later caller joins): one connection per process waits, never
 *   one per request.
 * - **Descriptions may come later.** A transfer's record (transfers) is written just after the
 *   ledger batch; an entry projected in between has the ledger code's description and
 *   `described = false`. The events (`history.projection`, subscriber.ts) and reads
 *   (`describeRecent`) describe it again.
 */
import { TransferFlags, isUuid, listTransfersAfter } from '@qianbao/ledger';
import type { Account, Transfer, TransfersAfter } from '@qianbao/ledger';
import { withTransaction } from '@qianbao/db';
import type pg from 'pg';
import { AccountCodes, TransferCodes, transferCodeLabels } from '../../platform/codes.ts';
import type { CodeLabel } from '../../platform/codes.ts';
import type { TransferView, TransfersService } from '../transfers/index.ts';
import type { Entry, EntryDescription, EntryFacts, HistoryStore, TransactionStatus } from './store.ts';

/** Ledger transfers read, described and written per transaction. */
export const PROJECTION_CHUNK = 2000;
/** Describe calls (per holder in a chunk) in flight at once. */
const DESCRIBE_CONCURRENCY = 4;
/** Bounds of the ledger time one read spans (listTransfersAfter): 1 ms … about 35 years. */
const MIN_SPAN_MICROS = 1_000n;
const MAX_SPAN_MICROS = 1n << 50n;

/** `redescribeRecent` looks at entries this old … this young (ledger time, µs). */
const REDESCRIBE_AFTER_MICROS = 2_000_000n;
const REDESCRIBE_WINDOW_MICROS = 10_000_000n;

const OTHER: CodeLabel = { type: 'other', label: { 'zh-CN': '资金变动', en: 'Wallet movement' } };

/**
 * How a module that marks its ledger transfers with user data (`funding:<id>`,
 * `merchant-order:<id>` …) describes them to a viewer: the other side, a note, and — for a
 * funding operation — its id (the web app links to its progress).
 */
export interface LedgerDescription {
  counterparty: { displayName: string };
  note: string | null;
  fundingId: string | null;
}

/** The modules' view of the ledger transfers they marked with user data (funding, merchants). */
export interface FundingDescriber {
  describeLedgerTransfers(input: {
    viewerUserId: string;
    transfers: readonly { id: string; userData: string | null }[];
  }): Promise<Map<string, LedgerDescription>>;
}

export interface ProjectorDeps {
  pool: pg.Pool;
  store: HistoryStore;
  transfers: Pick<TransfersService, 'describeMany'>;
  funding?: FundingDescriber | undefined;
  /** The ledger feed; `listTransfersAfter` of @qianbao/ledger on `pool` unless given (tests). */
  feed?: (query: { afterTimestamp: bigint; limit: number; spanMicros: bigint }) => Promise<TransfersAfter>;
  chunk?: number;
}

export interface CatchUpResult {
  /** Ledger transfers read (each gives one entry per holder's wallet it touches). */
  transfers: number;
  entries: number;
  /** The cursor afterwards. */
  lastTs: bigint;
}

export class HistoryProjector {
  private readonly codes: Record<number, CodeLabel> = transferCodeLabels();
  private readonly feed: NonNullable<ProjectorDeps['feed']>;
  private readonly chunk: number;
  /** Ledger time one read spans: adapted to the density the last reads saw. */
  private span = 1_000_000n;
  private running: Promise<CatchUpResult> | null = null;
  private queued: Promise<CatchUpResult> | null = null;

  constructor(private readonly deps: ProjectorDeps) {
    this.feed = deps.feed ?? ((query) => listTransfersAfter(deps.pool, query));
    this.chunk = deps.chunk ?? PROJECTION_CHUNK;
  }

  /**
   * Project every ledger transfer committed before this call (and whatever follows meanwhile).
   * Cheap when nothing is new: the cursor and the ledger head, two indexed reads.
   */
  catchUp(): Promise<CatchUpResult> {
    if (this.running === null) {
      const run = this.run().finally(() => {
        if (this.running === run) this.running = null;
      });
      this.running = run;
      return run;
    }
    // A run in progress may have read the ledger before the caller's transfer: take the next.
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.catchUp();
      });
    return this.queued;
  }

  private async run(): Promise<CatchUpResult> {
    const result: CatchUpResult = { transfers: 0, entries: 0, lastTs: 0n };
    // One pass, up to the ledger head as the first read finds it: everything committed before
    // this run started. Under load the ledger moves on meanwhile; that is the next run's (a
    // second later, or a reader's own catch-up), in one larger chunk rather than many small ones.
    let target: bigint | null = null;
    for (;;) {
      // Read and describe outside the lock and the transaction: nothing new is the common case
      // and needs no lock, and the transaction stays as short as its writes.
      const seen = await this.deps.store.cursor();
      result.lastTs = seen;
      const ahead = await this.read(seen);
      target ??= ahead.headTimestamp;
      if (ahead.throughTimestamp === seen) return result;
      const entries = await this.entriesOf(ahead);
      const written = await withTransaction(this.deps.pool, async (client) => {
        // Another projector moved the cursor meanwhile: start again from where it is.
        if ((await this.deps.store.lockProjection(client)) !== seen) return false;
        await this.deps.store.upsert(client, entries);
        await this.deps.store.moveCursor(client, ahead.throughTimestamp);
        return true;
      });
      if (!written) continue;
      result.transfers += ahead.transfers.length;
      result.entries += entries.length;
      result.lastTs = ahead.throughTimestamp;
      if (ahead.throughTimestamp >= target) return result;
    }
  }

  private async read(afterTimestamp: bigint): Promise<TransfersAfter> {
    const read = await this.feed({ afterTimestamp, limit: this.chunk, spanMicros: this.span });
    // A full chunk: the next one likely needs about the span this one covered; fewer: look wider.
    const covered = read.throughTimestamp - afterTimestamp;
    let span = read.transfers.length === this.chunk ? covered + covered / 4n : this.span * 2n;
    if (span < MIN_SPAN_MICROS) span = MIN_SPAN_MICROS;
    if (span > MAX_SPAN_MICROS) span = MAX_SPAN_MICROS;
    this.span = span;
    return read;
  }

  /** One entry per holder's wallet a transfer touches, described. */
  private async entriesOf(read: TransfersAfter): Promise<Entry[]> {
    const facts: EntryFacts[] = [];
    const transfers = new Map<string, Transfer>();
    for (const transfer of read.transfers) {
      transfers.set(transfer.id, transfer);
      for (const side of ['out', 'in'] as const) {
        const accountId = side === 'out' ? transfer.debitAccountId : transfer.creditAccountId;
        const userId = walletOwner(read.accounts.get(accountId));
        if (userId === null) continue;
        facts.push({
          accountId,
          ledgerTransferId: transfer.id,
          userId,
          ts: transfer.timestamp,
          direction: side,
          amountMinor: transfer.amount,
          currency: transfer.currency,
          status: statusOf(transfer),
          ledgerCode: transfer.code,
          pendingId: transfer.pendingId,
          userData: transfer.userData,
        });
      }
    }
    return this.describe(facts);
  }

  /**
   * Describe entries as their holders see them: one call to the transfers module for all of them,
   * and per holder whose transfers carry user data, one to the funding module (its views are per
   * viewer; few transfers carry user data).
   */
  async describe(facts: readonly EntryFacts[]): Promise<Entry[]> {
    // A post or void is described by its hold's record (a transfer held for review, then settled).
    const recordOf = (fact: EntryFacts) => fact.pendingId ?? fact.ledgerTransferId;
    const records = await this.deps.transfers.describeMany(
      facts.map((fact) => ({ viewerUserId: fact.userId, ledgerTransferId: recordOf(fact) })),
    );
    const withData = new Map<string, EntryFacts[]>();
    for (const fact of facts) {
      if (fact.userData === null) continue;
      const list = withData.get(fact.userId);
      if (list) list.push(fact);
      else withData.set(fact.userId, [fact]);
    }
    const funding = new Map<string, LedgerDescription>();
    const groups = [...withData.entries()];
    let next = 0;
    const worker = async () => {
      while (next < groups.length) {
        const [userId, group] = groups[next++]!;
        const found = await this.deps.funding!.describeLedgerTransfers({
          viewerUserId: userId,
          transfers: group.map((fact) => ({ id: fact.ledgerTransferId, userData: fact.userData })),
        });
        for (const [id, description] of found) funding.set(`${userId}:${id}`, description);
      }
    };
    if (this.deps.funding) {
      await Promise.all(Array.from({ length: Math.min(DESCRIBE_CONCURRENCY, groups.length) }, worker));
    }
    return facts.map((fact) => {
      const key = `${fact.userId}:${fact.ledgerTransferId}`;
      const record = records.get(`${fact.userId}:${recordOf(fact)}`);
      return { ...fact, ...this.describeOne(fact, record, funding.get(key)) };
    });
  }

  /**
   * A second look at the last seconds' entries still waiting for their description (older than
   * a moment, so their records have landed): the one projected just before its record, whose
   * event found nothing yet — a race as long as one projection run. Run by the `history.project`
   * job after each catch-up; most waiting entries never get a record (a hold, a fee, a movement
   * made through the ledger API), so the look is bounded to ten seconds, newest first. Answers
   * how many it described.
   */
  async redescribeRecent(nowMicros: bigint): Promise<number> {
    const waiting = await this.deps.store.undescribedBetween(
      nowMicros - REDESCRIBE_WINDOW_MICROS,
      nowMicros - REDESCRIBE_AFTER_MICROS,
      this.chunk,
    );
    if (waiting.length === 0) return 0;
    return this.deps.store.describe(await this.describe(waiting));
  }

  private describeOne(
    fact: EntryFacts,
    record: TransferView | undefined,
    operation: LedgerDescription | undefined,
  ): EntryDescription {
    const byCode = this.codes[fact.ledgerCode] ?? OTHER;
    const code =
      record?.kind === 'payment_request'
        ? (this.codes[TransferCodes.paymentRequest] ?? byCode)
        : record
          ? (this.codes[TransferCodes.p2p] ?? byCode)
          : byCode;
    const description: EntryDescription = {
      type: code.type,
      label: code.label,
      counterpartyUserId: record?.counterpartyUserId ?? null,
      counterpartyDisplay: record?.counterparty.displayName ?? null,
      note: record?.note ?? null,
      paymentRequestId: record?.paymentRequestId ?? null,
      fundingId: null,
      parties: record ? { payer: record.payer.displayName, payee: record.payee.displayName } : null,
      described: record !== undefined,
    };
    return operation
      ? {
          ...description,
          counterpartyDisplay: operation.counterparty.displayName,
          note: operation.note,
          fundingId: operation.fundingId,
          described: true,
        }
      : description;
  }
}

/** The holder whose wallet this is, or null for any other account. */
function walletOwner(account: Account | undefined): string | null {
  if (account === undefined || account.code !== AccountCodes.wallet) return null;
  const owner = account.ownerRef ?? '';
  if (!owner.startsWith('user:')) return null;
  const userId = owner.slice('user:'.length);
  return isUuid(userId) ? userId : null;
}

export function statusOf(transfer: Pick<Transfer, 'flags'>): TransactionStatus {
  if (transfer.flags & TransferFlags.pending) return 'pending';
  if (transfer.flags & TransferFlags.voidPending) return 'released';
  return 'succeeded';
}
