/**
 * The operator console's read model (capability C17): holder search and the holder page, notes,
 * "reveal" of a full ID number, the ledger explorer and the dashboard. It owns only its notes
 * and the search index of real names; everything else it reads through the owning modules'
 * services and the ledger's read handles (docs/console.md).
 */
import type { Account, Transfer, VerifyReport } from '@qianbao/ledger';
import { isUuid, newId } from '@qianbao/ledger';
import { AppError } from '../../errors.ts';
import { moneyJson } from '../../http/money.ts';
import type { LedgerPort } from '../../ledger-thread/index.ts';
import { ACCOUNT_PURPOSES, purposeOfCode } from '../../platform/accounts.ts';
import { shanghaiCalendar, shanghaiDay } from '../../platform/calendar.ts';
import { AccountCodeChart, TransferCodeChart, TransferCodes } from '../../platform/codes.ts';
import type { CardsService } from '../cards/index.ts';
import type { FreezeService } from '../freeze/index.ts';
import type { HistoryService } from '../history/index.ts';
import type { IdentityService } from '../identity/index.ts';
import { maskPhone, normalizePhone } from '../identity/index.ts';
import type { KycService } from '../kyc/index.ts';
import { maskIdNumber } from '../kyc/index.ts';
import { dailyLimitKey, yearlyLimitKey } from '../kyc/limits.ts';
import type { AuditVerifyReport, OperatorService } from '../operator/index.ts';
import type { RiskService } from '../risk/index.ts';
import type { ConsoleStore, IndexEntry, NoteRow } from './store.ts';

const SEARCH_LIMIT = 20;
const INDEX_BATCH = 500;
/** At most this many index batches per search: a very stale index catches up over a few searches. */
const INDEX_BATCHES_PER_SEARCH = 20;
const NOTES_LIMIT = 100;
const MOVEMENTS_LIMIT = 20;
const DECISIONS_LIMIT = 20;
const NAME_PURPOSE = 'console:legal-name';
const MINUTE_MICROS = 60_000_000n;

/**
 * What the dashboard counts as payment volume: money a holder sends or pays, tops up or
 * withdraws. Not fees, refunds, claims of red packets (their sending counted), settlements or
 * adjustments, nor test funding.
 */
export const VOLUME_CODES: number[] = [
  TransferCodes.p2p,
  TransferCodes.paymentRequest,
  TransferCodes.merchantPayment,
  TransferCodes.redPacketSend,
  TransferCodes.splitShare,
  TransferCodes.topUp,
  TransferCodes.withdrawal,
  TransferCodes.bankTransfer,
];

/** Open work elsewhere; each answers how many are open now (a missing one is shown as unknown). */
export interface OpenCounts {
  riskCases?: () => Promise<number>;
  kycReviews?: () => Promise<number>;
  merchantReviews?: () => Promise<number>;
  tickets?: () => Promise<number>;
  disputes?: () => Promise<number>;
}
export const OPEN_COUNT_NAMES = [
  'riskCases',
  'kycReviews',
  'merchantReviews',
  'tickets',
  'disputes',
] as const;

/** A holder's ticket as the holder page lists it (the support module's `ticketsOfHolder`). */
export interface HolderTicket {
  id: string;
  /** The number people read out (工单号). */
  number: string;
  topic: string;
  status: string;
  updatedAt: Date;
}

export interface ConsoleServiceDeps {
  store: ConsoleStore;
  identity: Pick<
    IdentityService,
    'getUser' | 'findUserByPhone' | 'findUsersByPhoneSuffix' | 'listSessions' | 'devicesOf'
  >;
  kyc: Pick<KycService, 'getProfile' | 'idNumberOf' | 'realNamesChangedAfter' | 'userIdOfIdNumber'>;
  cards: Pick<CardsService, 'list' | 'storedNumberOf'>;
  freeze: Pick<FreezeService, 'stateOf' | 'history'>;
  history: Pick<HistoryService, 'list'>;
  risk: Pick<RiskService, 'decisionsOf'>;
  merchants: {
    get(merchantId: string): Promise<{ name: string }>;
    ownerOf(merchantId: string): Promise<string>;
    findLiveByName(text: string, limit: number): Promise<{ id: string; name: string; ownerUserId: string }[]>;
  };
  ledger: Pick<LedgerPort, 'getAccount' | 'findAccounts' | 'getTransfer' | 'listTransfers'>;
  operators: Pick<OperatorService, 'audit' | 'verifyAuditLog'>;
  secrets: { blindIndex(value: string, purpose: string): Buffer };
  /** The check of `npx qianbao verify` (verify-books.ts), with the server's journal key and checkpoints. */
  verifyBooks: () => Promise<VerifyReport>;
  openCounts: OpenCounts;
  /** The support module's tickets of a holder; null until it is wired (app.ts). */
  tickets: { ticketsOfHolder(userId: string): Promise<HolderTicket[]> } | null;
  now: () => Date;
}

export type MatchedBy = 'phone' | 'phoneLast4' | 'idNumber' | 'idLast4' | 'name' | 'merchant' | 'userId';

export interface HolderHit {
  userId: string;
  phone: string;
  name: string | null;
  idNumber: string | null;
  tier: string;
  createdAt: string;
  matchedBy: MatchedBy[];
  merchants: { id: string; name: string }[];
}

export interface NoteView {
  id: string;
  operatorId: string;
  operatorName: string;
  text: string;
  createdAt: string;
}

/** The console's read model; no HTTP here. */
export class ConsoleService {
  /** One verification at a time per process: concurrent asks share its answer. */
  private verifying: Promise<[VerifyReport, AuditVerifyReport]> | null = null;

  constructor(private readonly deps: ConsoleServiceDeps) {}

  // ---- holder search ----------------------------------------------------------------------

  /**
   * Holders by phone (11 digits or the last 4), ID number (full, masked `1101**********1234`
   * or its last 4), legal name (exact), merchant (its id or part of its name → its owner), or
   * the holder's id. At most 20; never a full ID number in the answer.
   */
  async searchHolders(input: { query: string; operatorId: string }): Promise<HolderHit[]> {
    const query = input.query.trim().normalize('NFC');
    const hits = new Map<string, { matchedBy: Set<MatchedBy>; merchants: { id: string; name: string }[] }>();
    const add = (userId: string, by: MatchedBy, merchant?: { id: string; name: string }) => {
      const hit = hits.get(userId) ?? { matchedBy: new Set<MatchedBy>(), merchants: [] };
      hit.matchedBy.add(by);
      if (merchant) hit.merchants.push(merchant);
      hits.set(userId, hit);
    };
    const compact = query.replace(/[\s-]/g, '').replace(/＊/g, '*').toUpperCase();
    if (isUuid(query.toLowerCase())) {
      const id = query.toLowerCase();
      if (await this.deps.identity.getUser(id)) add(id, 'userId');
      const owner = await this.merchantOwner(id);
      if (owner) add(owner.ownerUserId, 'merchant', { id, name: owner.name });
    } else if (/^(\+?86)?1[3-9]\d{9}$/.test(compact)) {
      const phone = normalizePhone(compact);
      const user = phone ? await this.deps.identity.findUserByPhone(phone) : null;
      if (user) add(user.id, 'phone');
    } else if (/^\d{17}[\dX]$/.test(compact)) {
      const userId = await this.deps.kyc.userIdOfIdNumber(compact);
      if (userId) add(userId, 'idNumber');
    } else if (/^\d{4}\*+\d{3}[\dX]$/.test(compact)) {
      await this.refreshIndex();
      for (const userId of await this.deps.store.usersByIdEnds({
        head: compact.slice(0, 4),
        tail: compact.slice(-4),
        limit: SEARCH_LIMIT,
      })) {
        add(userId, 'idNumber');
      }
    } else if (/^\*?\d{3}[\dX]$/.test(compact)) {
      const last4 = compact.slice(-4);
      if (/^\d{4}$/.test(last4)) {
        for (const user of await this.deps.identity.findUsersByPhoneSuffix(last4, SEARCH_LIMIT)) {
          add(user.id, 'phoneLast4');
        }
      }
      await this.refreshIndex();
      for (const userId of await this.deps.store.usersByIdEnds({
        head: null,
        tail: last4,
        limit: SEARCH_LIMIT,
      })) {
        add(userId, 'idLast4');
      }
    } else if (query.length > 0) {
      await this.refreshIndex();
      for (const userId of await this.deps.store.usersByNameIndex(this.nameIndex(query), SEARCH_LIMIT)) {
        add(userId, 'name');
      }
      for (const merchant of await this.deps.merchants.findLiveByName(query, SEARCH_LIMIT)) {
        add(merchant.ownerUserId, 'merchant', { id: merchant.id, name: merchant.name });
      }
    }
    const found: HolderHit[] = [];
    for (const [userId, hit] of [...hits].slice(0, SEARCH_LIMIT)) {
      const user = await this.deps.identity.getUser(userId);
      if (!user) continue; // a merchant's owner that closed their wallet
      const profile = await this.deps.kyc.getProfile(userId);
      found.push({
        userId,
        phone: maskPhone(user.phone),
        name: profile.realName?.name ?? null,
        idNumber: profile.realName?.idNumber ?? null,
        tier: profile.tier,
        createdAt: user.createdAt.toISOString(),
        matchedBy: [...hit.matchedBy],
        merchants: hit.merchants,
      });
    }
    await this.deps.operators.audit({
      operatorId: input.operatorId,
      action: 'console.holders_searched',
      target: null,
      // A full ID number searched for is kept masked, as everywhere.
      details: { query: /^\d{17}[\dX]$/.test(compact) ? maskIdNumber(compact) : query, found: found.length },
    });
    return found;
  }

  /**
   * Bring the search index up to kyc's real-name records: the records changed after the newest
   * one indexed, in (updated_at, user_id) order. Any number of searches may run it at once:
   * they write the same rows, and an entry never moves back to an older record.
   */
  async refreshIndex(): Promise<number> {
    let indexed = 0;
    for (let batch = 0; batch < INDEX_BATCHES_PER_SEARCH; batch++) {
      const after = await this.deps.store.indexWatermark();
      const changed = await this.deps.kyc.realNamesChangedAfter(after, INDEX_BATCH);
      const entries: IndexEntry[] = changed.flatMap((record) => {
        const masked = record.maskedIdNumber;
        const head = masked.slice(0, 4);
        const tail = masked.slice(-4).toUpperCase();
        if (!/^\d{4}$/.test(head) || !/^\d{3}[\dX]$/.test(tail)) return [];
        return [
          {
            userId: record.userId,
            nameIndex: this.nameIndex(record.legalName),
            idHead: head,
            idTail: tail,
            sourceUpdatedAt: record.updatedAt,
          },
        ];
      });
      await this.deps.store.upsertIndex(entries);
      indexed += entries.length;
      if (changed.length < INDEX_BATCH) break;
    }
    return indexed;
  }

  // ---- the holder page ----------------------------------------------------------------------

  async holderPage(input: { userId: string; operatorId: string }) {
    const { userId } = input;
    const user = await this.requireHolder(userId);
    const now = this.deps.now();
    const { day, year } = shanghaiCalendar(now);
    const dailyKey = dailyLimitKey(userId, day);
    const yearlyKey = yearlyLimitKey(userId, year);
    const [
      profile,
      used,
      accounts,
      movements,
      decisions,
      sessions,
      devices,
      cards,
      freezeState,
      freezes,
      notes,
      tickets,
    ] = await Promise.all([
      this.deps.kyc.getProfile(userId),
      this.deps.store.limitCounters([dailyKey, yearlyKey]),
      this.accountsOf(userId, user.walletAccountId),
      this.deps.history.list({
        userId,
        walletAccountId: user.walletAccountId,
        filter: {},
        cursor: null,
        limit: MOVEMENTS_LIMIT,
      }),
      this.deps.risk.decisionsOf(userId, DECISIONS_LIMIT),
      this.deps.identity.listSessions({ userId, currentSessionId: null }),
      this.deps.identity.devicesOf(userId),
      this.deps.cards.list(userId),
      this.deps.freeze.stateOf(userId),
      this.deps.freeze.history(userId),
      this.notesOf(userId),
      this.deps.tickets ? this.deps.tickets.ticketsOfHolder(userId) : Promise.resolve(null),
    ]);
    await this.deps.operators.audit({
      operatorId: input.operatorId,
      action: 'console.holder_viewed',
      target: userId,
      details: {},
    });
    const limit = (minor: bigint | null) => (minor === null ? null : moneyJson(minor, 'CNY'));
    return {
      profile: {
        userId,
        phone: maskPhone(user.phone),
        createdAt: user.createdAt.toISOString(),
        realNameVerified: user.realNameVerified,
        realName: profile.realName
          ? {
              name: profile.realName.name,
              idNumber: profile.realName.idNumber,
              verifiedAt: profile.realName.verifiedAt.toISOString(),
            }
          : null,
        review: profile.review
          ? {
              id: profile.review.id,
              status: profile.review.status,
              reason: profile.review.reason,
              submittedAt: profile.review.submittedAt.toISOString(),
            }
          : null,
      },
      tier: profile.tier,
      limits: {
        single: limit(profile.limits.singlePaymentMinor),
        daily: limit(profile.limits.dailyMinor),
        yearly: limit(profile.limits.yearlyMinor),
        balanceCap: limit(profile.limits.balanceCapMinor),
        mayWithdraw: profile.limits.mayWithdraw,
        usedToday: moneyJson(used.get(dailyKey) ?? 0n, 'CNY'),
        usedThisYear: moneyJson(used.get(yearlyKey) ?? 0n, 'CNY'),
      },
      accounts,
      movements: movements.transactions.map((t) => ({
        id: t.id,
        type: t.type,
        label: t.label,
        direction: t.direction,
        amount: moneyJson(t.amountMinor, t.currency),
        status: t.status,
        counterparty: t.counterparty?.displayName ?? null,
        note: t.note,
        createdAt: t.createdAt.toISOString(),
      })),
      riskDecisions: decisions.map((d) => ({
        id: d.id,
        subject: d.subject,
        kind: d.kind,
        amount: d.amount_minor === null ? null : moneyJson(BigInt(d.amount_minor), d.currency ?? 'CNY'),
        score: d.score,
        decision: d.decision,
        fired: d.fired,
        at: d.at.toISOString(),
      })),
      sessions: sessions.map((s) => ({
        id: s.id,
        deviceId: s.deviceId,
        deviceName: s.deviceName,
        method: s.method,
        userAgent: s.userAgent,
        ipAddress: s.ipAddress,
        place: s.place,
        createdAt: s.createdAt.toISOString(),
        lastUsedAt: s.lastUsedAt.toISOString(),
      })),
      devices: devices.map((d) => ({
        deviceId: d.deviceId,
        name: d.name,
        trusted: d.trusted,
        firstSeenAt: d.firstSeenAt.toISOString(),
        lastSeenAt: d.lastSeenAt.toISOString(),
      })),
      cards: cards.map((c) => ({
        id: c.id,
        maskedNumber: c.maskedNumber,
        bankName: c.bankName,
        cardType: c.cardType,
        isDefault: c.isDefault,
        boundAt: c.boundAt.toISOString(),
      })),
      freeze: {
        mode: freezeState.mode,
        source: freezeState.source,
        since: freezeState.since?.toISOString() ?? null,
        reason: freezeState.reason,
        history: freezes.slice(0, 20).map((f) => ({
          id: f.id,
          mode: f.mode,
          source: f.source,
          reason: f.reason,
          setAt: f.setAt.toISOString(),
          liftedAt: f.liftedAt?.toISOString() ?? null,
          liftReason: f.liftReason,
        })),
      },
      notes,
      tickets:
        tickets?.map((t) => ({
          id: t.id,
          number: t.number,
          topic: t.topic,
          status: t.status,
          updatedAt: t.updatedAt.toISOString(),
        })) ?? null,
    };
  }

  /** Every ledger account the holder owns (any currency and purpose), with its balances. */
  private async accountsOf(userId: string, walletAccountId: string) {
    const owned = await this.deps.ledger.findAccounts({ ownerRef: `user:${userId}`, limit: 100 });
    if (!owned.some((account) => account.id === walletAccountId)) {
      const wallet = await this.deps.ledger.getAccount(walletAccountId);
      if (wallet) owned.unshift(wallet);
    }
    return owned.map((account) => accountJson(account));
  }

  // ---- notes ----------------------------------------------------------------------------------

  async addNote(input: {
    userId: string;
    operatorId: string;
    operatorName: string;
    text: string;
  }): Promise<NoteView> {
    await this.requireHolder(input.userId);
    const id = newId();
    // The note and its audit entry commit together, or neither does.
    const row = await this.deps.store.insertNote(
      {
        id,
        user_id: input.userId,
        operator_id: input.operatorId,
        operator_name: input.operatorName,
        text: input.text,
        created_at: this.deps.now(),
      },
      (client) =>
        this.deps.operators.audit(
          {
            operatorId: input.operatorId,
            action: 'console.note_added',
            target: input.userId,
            details: { noteId: id },
          },
          client,
        ),
    );
    return noteJson(row);
  }

  async notesOf(userId: string): Promise<NoteView[]> {
    return (await this.deps.store.notesOf(userId, NOTES_LIMIT)).map(noteJson);
  }

  // ---- reveal ---------------------------------------------------------------------------------

  /**
   * The full ID number (unsealed by kyc), or what is stored of a card number — the BIN and the
   * last 4: a full card number is never stored (domain-rules §2). Audited with the reason, never
   * the value.
   */
  async reveal(input: {
    userId: string;
    operatorId: string;
    field: 'idNumber' | 'cardNumber';
    cardId: string | null;
    reason: string;
  }): Promise<{ field: 'idNumber' | 'cardNumber'; value: string; complete: boolean }> {
    await this.requireHolder(input.userId);
    let value: string;
    let complete: boolean;
    if (input.field === 'idNumber') {
      const idNumber = await this.deps.kyc.idNumberOf(input.userId);
      if (idNumber === null) throw new AppError('CONSOLE_NOTHING_TO_REVEAL');
      value = idNumber;
      complete = true;
    } else {
      const card = input.cardId
        ? await this.deps.cards.storedNumberOf({ userId: input.userId, cardId: input.cardId })
        : null;
      if (!card) throw new AppError('CONSOLE_NOTHING_TO_REVEAL');
      value = `${card.bin}…${card.last4}`;
      complete = false;
    }
    await this.deps.operators.audit({
      operatorId: input.operatorId,
      action: 'console.pii_revealed',
      target: input.userId,
      details: {
        field: input.field,
        ...(input.cardId ? { cardId: input.cardId } : {}),
        reason: input.reason,
      },
    });
    return { field: input.field, value, complete };
  }

  // ---- the ledger explorer ------------------------------------------------------------------

  /** Accounts by id, by owner reference (`user:<id>`, `merchant:<id>`, `system:…`) or by a holder's phone. */
  async findAccounts(query: string) {
    const text = query.trim();
    if (isUuid(text.toLowerCase())) {
      const account = await this.deps.ledger.getAccount(text.toLowerCase());
      return account ? [accountJson(account)] : [];
    }
    let ownerRef = text;
    const phone = normalizePhone(text);
    if (phone) {
      const user = await this.deps.identity.findUserByPhone(phone);
      if (!user) return [];
      ownerRef = `user:${user.id}`;
    }
    if (!/^[a-z]+:[^\s]{1,120}$/.test(ownerRef)) return [];
    return (await this.deps.ledger.findAccounts({ ownerRef, limit: 100 })).map(accountJson);
  }

  async account(accountId: string) {
    const account = await this.deps.ledger.getAccount(accountId);
    if (!account) throw new AppError('CONSOLE_ACCOUNT_NOT_FOUND');
    return accountJson(account);
  }

  async transfersOf(input: { accountId: string; cursor: string | null; limit: number }) {
    const account = await this.deps.ledger.getAccount(input.accountId);
    if (!account) throw new AppError('CONSOLE_ACCOUNT_NOT_FOUND');
    if (input.cursor !== null && !/^\d{1,19}$/.test(input.cursor)) throw new AppError('VALIDATION_FAILED');
    const page = await this.deps.ledger.listTransfers(input.accountId, {
      limit: input.limit,
      cursor: input.cursor,
    });
    return { transfers: page.transfers.map(transferJson), nextCursor: page.nextCursor };
  }

  async transfer(transferId: string) {
    const transfer = await this.deps.ledger.getTransfer(transferId);
    if (!transfer) throw new AppError('CONSOLE_TRANSFER_NOT_FOUND');
    return transferJson(transfer);
  }

  async journal(input: { beforeSeq: bigint | null; limit: number }) {
    const records = await this.deps.store.journal(input);
    const last = records[records.length - 1];
    return {
      records: records.map((r) => ({
        seq: r.seq.toString(),
        prevHash: r.prevHash,
        hash: r.hash,
        firstTs: r.firstTs.toString(),
        lastTs: r.lastTs.toString(),
        transferCount: r.transferCount,
        committedAt: r.committedAt.toISOString(),
      })),
      nextBefore: last && last.seq > 1n && records.length === input.limit ? last.seq.toString() : null,
    };
  }

  /**
   * `npx qianbao verify`'s check — the ledger's books and the operator audit log's chain —
   * audited with its outcome. Concurrent requests share one run (it reads the whole ledger in one
   * snapshot): thirty operators pressing the button at once cost one verification.
   */
  async verifyBooks(operatorId: string) {
    this.verifying ??= Promise.all([this.deps.verifyBooks(), this.deps.operators.verifyAuditLog()]).finally(
      () => {
        this.verifying = null;
      },
    );
    const [report, audit] = await this.verifying;
    await this.deps.operators.audit({
      operatorId,
      action: 'console.ledger_verified',
      target: null,
      details: {
        ok: report.ok && audit.ok,
        problemsFound: report.problemsFound,
        auditProblems: audit.problemCount,
      },
    });
    return {
      ok: report.ok && audit.ok,
      books: { ok: report.ok },
      auditLog: {
        ok: audit.ok,
        entries: audit.entries,
        firstBrokenSeq: audit.firstBrokenSeq,
        problemCount: audit.problemCount,
      },
      batches: report.batches,
      transfers: report.transfers,
      accounts: report.accounts,
      journal: {
        keyedFromSeq: report.journal.keyedFromSeq?.toString() ?? null,
        keyChecked: report.journal.keyChecked,
      },
      checkpoints: report.checkpoints
        ? {
            lines: report.checkpoints.lines,
            authentic: report.checkpoints.authentic,
            newestSeq: report.checkpoints.newest?.seq.toString() ?? null,
          }
        : null,
      trialBalance: report.trialBalance.map((row) => ({
        currency: row.currency,
        debitsPosted: row.debitsPosted.toString(),
        creditsPosted: row.creditsPosted.toString(),
        debitsPending: row.debitsPending.toString(),
        creditsPending: row.creditsPending.toString(),
      })),
      problemsFound: report.problemsFound,
      problems: report.problems,
    };
  }

  // ---- the dashboard --------------------------------------------------------------------------

  /**
   * Today (the Asia/Shanghai day) at a glance: payment volume per currency, payments per minute
   * over the last hour, failures by code, and open work in the queues.
   */
  async dashboard() {
    const now = this.deps.now();
    const { day } = shanghaiCalendar(now);
    const { from } = shanghaiDay(day);
    const nowMicros = BigInt(now.getTime()) * 1000n;
    const fromMicros = BigInt(from.getTime()) * 1000n;
    const lastMinute = (nowMicros / MINUTE_MICROS) * MINUTE_MICROS;
    const hourFrom = lastMinute - 59n * MINUTE_MICROS;
    const [volume, perMinute, failures, open] = await Promise.all([
      this.deps.store.volume({ fromMicros, toMicros: nowMicros + 1n, codes: VOLUME_CODES }),
      this.deps.store.perMinute({ fromMicros: hourFrom, toMicros: nowMicros + 1n, codes: VOLUME_CODES }),
      this.deps.store.failures(from, new Date(now.getTime() + 1)),
      Promise.all(
        OPEN_COUNT_NAMES.map(async (name) => {
          const count = this.deps.openCounts[name];
          return [name, count ? await count() : null] as const;
        }),
      ),
    ]);
    const series: { minute: string; count: number }[] = [];
    for (let minute = hourFrom; minute <= lastMinute; minute += MINUTE_MICROS) {
      series.push({
        minute: new Date(Number(minute / 1000n)).toISOString(),
        count: perMinute.get(minute) ?? 0,
      });
    }
    return {
      day,
      asOf: now.toISOString(),
      volume: volume.map((v) => ({ amount: moneyJson(v.amount, v.currency), count: v.count })),
      paymentsPerMinute: series,
      failures,
      open: Object.fromEntries(open) as Record<(typeof OPEN_COUNT_NAMES)[number], number | null>,
    };
  }

  // ---- internals --------------------------------------------------------------------------

  private async requireHolder(userId: string) {
    const user = isUuid(userId) ? await this.deps.identity.getUser(userId) : null;
    if (!user) throw new AppError('CONSOLE_HOLDER_NOT_FOUND');
    return user;
  }

  private async merchantOwner(merchantId: string): Promise<{ ownerUserId: string; name: string } | null> {
    try {
      const { name } = await this.deps.merchants.get(merchantId);
      return { ownerUserId: await this.deps.merchants.ownerOf(merchantId), name };
    } catch (error) {
      if (error instanceof AppError && error.code === 'MERCHANT_NOT_FOUND') return null;
      throw error;
    }
  }

  private nameIndex(legalName: string): Buffer {
    return this.deps.secrets.blindIndex(legalName.trim().normalize('NFC'), NAME_PURPOSE);
  }
}

function noteJson(row: NoteRow): NoteView {
  return {
    id: row.id,
    operatorId: row.operator_id,
    operatorName: row.operator_name,
    text: row.text,
    createdAt: row.created_at.toISOString(),
  };
}

const ACCOUNT_LABELS = new Map<number, { name: string; label: { 'zh-CN': string; en: string } }>(
  Object.entries(AccountCodeChart).map(([name, entry]) => [entry.code, { name, label: entry.label }]),
);
const TRANSFER_LABELS = new Map<number, { name: string; label: { 'zh-CN': string; en: string } }>(
  Object.entries(TransferCodeChart).map(([name, entry]) => [entry.code, { name, label: entry.label }]),
);

function accountJson(account: Account) {
  const purpose = purposeOfCode(account.code);
  const normal = purpose ? ACCOUNT_PURPOSES[purpose].normal : 'credit';
  const posted =
    normal === 'credit'
      ? account.creditsPosted - account.debitsPosted
      : account.debitsPosted - account.creditsPosted;
  const outgoingPending = normal === 'credit' ? account.debitsPending : account.creditsPending;
  const known = ACCOUNT_LABELS.get(account.code);
  return {
    id: account.id,
    ownerRef: account.ownerRef,
    currency: account.currency,
    code: account.code,
    kind: known?.name ?? null,
    label: known?.label ?? null,
    normal,
    flags: account.flags,
    // Signed: a system account on the other side (the bank's, fee income) may stand below zero.
    balance: moneyJson(posted, account.currency),
    available: moneyJson(posted - outgoingPending, account.currency),
    counters: {
      debitsPending: account.debitsPending.toString(),
      debitsPosted: account.debitsPosted.toString(),
      creditsPending: account.creditsPending.toString(),
      creditsPosted: account.creditsPosted.toString(),
    },
    createdAt: account.createdAt.toISOString(),
  };
}

function transferJson(transfer: Transfer) {
  const known = TRANSFER_LABELS.get(transfer.code);
  return {
    id: transfer.id,
    debitAccountId: transfer.debitAccountId,
    creditAccountId: transfer.creditAccountId,
    amount: moneyJson(transfer.amount, transfer.currency),
    code: transfer.code,
    kind: known?.name ?? null,
    label: known?.label ?? null,
    flags: transfer.flags,
    pendingId: transfer.pendingId,
    timestamp: transfer.timestamp.toString(),
    at: new Date(Number(transfer.timestamp / 1000n)).toISOString(),
    userData: transfer.userData,
    limitKeys: transfer.limitKeys,
  };
}
