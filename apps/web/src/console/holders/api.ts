/**
 * What the 用户 (holders), 账本 (ledger) and 仪表盘 (dashboard) pages ask the API: the console
 * module's read model (docs/console.md), the freeze module's operator routes and funding's
 * reconciliation report.
 */
import type { MoneyJson } from '@qianbao/money';
import { consoleRequest } from '../api.ts';

type Label = { 'zh-CN': string; en: string };

export interface HolderHit {
  userId: string;
  phone: string;
  name: string | null;
  idNumber: string | null;
  tier: string;
  createdAt: string;
  matchedBy: string[];
  merchants: { id: string; name: string }[];
}

export interface LedgerAccount {
  id: string;
  ownerRef: string | null;
  currency: string;
  code: number;
  kind: string | null;
  label: Label | null;
  normal: 'credit' | 'debit';
  flags: number;
  balance: MoneyJson;
  available: MoneyJson;
  counters: { debitsPending: string; debitsPosted: string; creditsPending: string; creditsPosted: string };
  createdAt: string;
}

export interface LedgerTransfer {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: MoneyJson;
  code: number;
  kind: string | null;
  label: Label | null;
  flags: number;
  pendingId: string | null;
  timestamp: string;
  at: string;
  userData: string | null;
  limitKeys: string[];
}

export interface Note {
  id: string;
  operatorId: string;
  operatorName: string;
  text: string;
  createdAt: string;
}

export type FreezeMode = 'none' | 'full' | 'receive_only';

export interface HolderPage {
  profile: {
    userId: string;
    phone: string;
    createdAt: string;
    realNameVerified: boolean;
    realName: { name: string; idNumber: string; verifiedAt: string } | null;
    review: { id: string; status: string; reason: string | null; submittedAt: string } | null;
  };
  tier: string;
  limits: {
    single: MoneyJson | null;
    daily: MoneyJson | null;
    yearly: MoneyJson | null;
    balanceCap: MoneyJson | null;
    mayWithdraw: boolean;
    usedToday: MoneyJson;
    usedThisYear: MoneyJson;
  };
  accounts: LedgerAccount[];
  movements: {
    id: string;
    type: string;
    label: Label;
    direction: 'in' | 'out';
    amount: MoneyJson;
    status: string;
    counterparty: string | null;
    note: string | null;
    createdAt: string;
  }[];
  riskDecisions: {
    id: string;
    subject: string;
    kind: string;
    amount: MoneyJson | null;
    score: number;
    decision: string;
    fired: string[];
    at: string;
  }[];
  sessions: {
    id: string;
    deviceId: string;
    deviceName: string | null;
    method: string;
    userAgent: string | null;
    ipAddress: string | null;
    place: string;
    createdAt: string;
    lastUsedAt: string;
  }[];
  devices: {
    deviceId: string;
    name: string | null;
    trusted: boolean;
    firstSeenAt: string;
    lastSeenAt: string;
  }[];
  cards: {
    id: string;
    maskedNumber: string;
    bankName: { zh: string; en: string };
    cardType: string;
    isDefault: boolean;
    boundAt: string;
  }[];
  freeze: {
    mode: FreezeMode;
    source: string | null;
    since: string | null;
    reason: string | null;
    history: {
      id: string;
      mode: string;
      source: string;
      reason: string;
      setAt: string;
      liftedAt: string | null;
      liftReason: string | null;
    }[];
  };
  notes: Note[];
  tickets: { id: string; number: string; topic: string; status: string; updatedAt: string }[] | null;
}

export interface Revealed {
  field: 'idNumber' | 'cardNumber';
  value: string;
  complete: boolean;
}

export interface VerifyAnswer {
  ok: boolean;
  books: { ok: boolean };
  auditLog: { ok: boolean; entries: number; firstBrokenSeq: string | null; problemCount: number };
  batches: number;
  transfers: number;
  accounts: number;
  journal: { keyedFromSeq: string | null; keyChecked: boolean };
  checkpoints: { lines: number; authentic: number; newestSeq: string | null } | null;
  trialBalance: {
    currency: string;
    debitsPosted: string;
    creditsPosted: string;
    debitsPending: string;
    creditsPending: string;
  }[];
  problemsFound: number;
  problems: string[];
}

export interface JournalRecord {
  seq: string;
  prevHash: string;
  hash: string;
  firstTs: string;
  lastTs: string;
  transferCount: number;
  committedAt: string;
}

export interface ReconciliationItem {
  operationId: string;
  kind: string;
  bank: { amount: string; status: string; settledAt: string } | null;
  ours: { amount: string; state: string; completedAt: string | null } | null;
}

export interface Reconciliation {
  date: string;
  bankLines: number;
  otherLines: number;
  operations: number;
  mismatches: number;
  missing: ReconciliationItem[];
  extra: ReconciliationItem[];
  amountMismatch: ReconciliationItem[];
  statusMismatch: ReconciliationItem[];
}

export interface Dashboard {
  day: string;
  asOf: string;
  volume: { amount: MoneyJson; count: number }[];
  paymentsPerMinute: { minute: string; count: number }[];
  failures: { source: 'payment' | 'ledger'; code: string; count: number }[];
  open: Record<'riskCases' | 'kycReviews' | 'merchantReviews' | 'tickets' | 'disputes', number | null>;
}

export const backOfficeKeys = {
  search: (q: string) => ['console', 'holders', 'search', q] as const,
  holder: (userId: string) => ['console', 'holders', 'one', userId] as const,
  accounts: (q: string) => ['console', 'ledger', 'accounts', q] as const,
  account: (id: string) => ['console', 'ledger', 'account', id] as const,
  transfers: (id: string) => ['console', 'ledger', 'transfers', id] as const,
  transfer: (id: string) => ['console', 'ledger', 'transfer', id] as const,
  journal: ['console', 'ledger', 'journal'] as const,
  reconciliation: (date: string) => ['console', 'ledger', 'reconciliation', date] as const,
  dashboard: ['console', 'dashboard'] as const,
};

export const searchHolders = (q: string) =>
  consoleRequest<{ holders: HolderHit[] }>('GET', `/v1/operator/holders?q=${encodeURIComponent(q)}`);

export const fetchHolder = (userId: string) =>
  consoleRequest<HolderPage>('GET', `/v1/operator/holders/${encodeURIComponent(userId)}`);

export const addNote = (userId: string, text: string) =>
  consoleRequest<Note>('POST', `/v1/operator/holders/${encodeURIComponent(userId)}/notes`, {
    body: { text },
  });

export const reveal = (
  userId: string,
  body: { field: 'idNumber' | 'cardNumber'; cardId?: string; reason: string },
) => consoleRequest<Revealed>('POST', `/v1/operator/holders/${encodeURIComponent(userId)}/reveal`, { body });

export const freezeHolder = (userId: string, body: { mode: 'full' | 'receive_only'; reason: string }) =>
  consoleRequest<unknown>('POST', `/v1/operator/holders/${encodeURIComponent(userId)}/freeze`, { body });

export const unfreezeHolder = (userId: string, body: { reason: string }) =>
  consoleRequest<unknown>('POST', `/v1/operator/holders/${encodeURIComponent(userId)}/unfreeze`, { body });

export const findLedgerAccounts = (q: string) =>
  consoleRequest<{ accounts: LedgerAccount[] }>(
    'GET',
    `/v1/operator/ledger/accounts?q=${encodeURIComponent(q)}`,
  );

export const fetchLedgerAccount = (id: string) =>
  consoleRequest<LedgerAccount>('GET', `/v1/operator/ledger/accounts/${encodeURIComponent(id)}`);

export const fetchAccountTransfers = (id: string, cursor: string | null) =>
  consoleRequest<{ transfers: LedgerTransfer[]; nextCursor: string | null }>(
    'GET',
    `/v1/operator/ledger/accounts/${encodeURIComponent(id)}/transfers?limit=50${
      cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''
    }`,
  );

export const fetchLedgerTransfer = (id: string) =>
  consoleRequest<LedgerTransfer>('GET', `/v1/operator/ledger/transfers/${encodeURIComponent(id)}`);

export const fetchJournal = (before: string | null) =>
  consoleRequest<{ records: JournalRecord[]; nextBefore: string | null }>(
    'GET',
    `/v1/operator/ledger/journal?limit=50${before ? `&before=${encodeURIComponent(before)}` : ''}`,
  );

export const verifyBooks = () => consoleRequest<VerifyAnswer>('POST', '/v1/operator/ledger/verify');

export const fetchReconciliation = (date: string) =>
  consoleRequest<Reconciliation>('GET', `/v1/operator/reconciliation?date=${encodeURIComponent(date)}`);

export const fetchDashboard = () => consoleRequest<Dashboard>('GET', '/v1/operator/dashboard');
