import type { BankAdapter, SettlementLine } from '../../adapters/bank/index.ts';
import { AppError } from '../../errors.ts';
import { isCalendarDate, shanghaiDay } from '../../platform/calendar.ts';
import type { FundingStore, OperationRow } from './store.ts';

/** At most this many of our operations are compared per day (a bound, far above the sandbox's volume). */
const MAX_OPERATIONS_PER_DAY = 100_000;
const OUR_KINDS: ReadonlySet<string> = new Set(['debit_card', 'credit_card', 'credit_account']);
const BANK_KIND_OF = {
  top_up: 'debit_card',
  withdrawal: 'credit_card',
  bank_transfer: 'credit_account',
} as const;

export interface ReconciliationItem {
  operationId: string;
  kind: string;
  /** What the bank's file says; null when the bank has no line. */
  bank: { amountMinor: bigint; status: 'succeeded' | 'failed'; settledAt: Date } | null;
  /** What we recorded; null when we have no operation. */
  ours: { amountMinor: bigint; state: string; completedAt: Date | null } | null;
}

/**
 * Bank operations another module makes through the same bank account (merchants' settlements:
 * `credit_card` lines), found by the bank's operation id, for the day's comparison.
 */
export interface OtherBankOperations {
  find(bankOperationIds: readonly string[]): Promise<OtherBankOperation[]>;
  completedBetween(from: Date, to: Date, limit: number): Promise<OtherBankOperation[]>;
}

export interface OtherBankOperation {
  bankOperationId: string;
  /** The bank's kind of it (`credit_card` for a payout to a card). */
  kind: string;
  amountMinor: bigint;
  /** `succeeded`, `failed`, or a state still on its way. */
  state: string;
  completedAt: Date | null;
}

export interface ReconciliationReport {
  date: string;
  bankLines: number;
  /** Lines of kinds this module does not make (none today; a bank may add its own). */
  otherLines: number;
  operations: number;
  /** The bank has it, we don't. */
  missing: ReconciliationItem[];
  /** We say it succeeded that day, the bank has no line. */
  extra: ReconciliationItem[];
  amountMismatch: ReconciliationItem[];
  /** Succeeded at the bank but not with us, or the other way round. */
  statusMismatch: ReconciliationItem[];
  mismatches: number;
}

/**
 * Compare the bank's settlement file for a day (Asia/Shanghai) with our top-ups, withdrawals and
 * transfers to bank accounts (`credit_account` lines):
 * every bank line against our operation with that id, and every operation we completed as
 * succeeded that day against the file. An operation completed just after midnight on our side
 * but before it at the bank shows as extra on one day and is matched the next; a real
 * deployment reconciles with a day's overlap.
 */
/** One of our operations at the bank, this module's or another's, as the report compares it. */
function oursOf(row: OperationRow): OtherBankOperation {
  return {
    bankOperationId: row.bank_operation_id,
    kind: BANK_KIND_OF[row.kind],
    amountMinor: row.amount_minor,
    state: row.state,
    completedAt: row.completed_at,
  };
}

export async function reconcileFunding(input: {
  store: FundingStore;
  bank: Pick<BankAdapter, 'settlementFile'>;
  date: string;
  now: Date;
  /** Other modules' operations at the bank (merchants' settlements), compared the same way. */
  others?: readonly OtherBankOperations[];
}): Promise<ReconciliationReport> {
  const { date } = input;
  if (!isCalendarDate(date)) throw new AppError('RECONCILIATION_DATE_INVALID');
  const day = shanghaiDay(date);
  if (day.from > input.now) {
    throw new AppError('RECONCILIATION_DATE_INVALID');
  }
  const lines = await input.bank.settlementFile(date);
  const ourLines = lines.filter((line) => OUR_KINDS.has(line.kind));
  const byId = new Map(
    (await input.store.getMany(ourLines.map((line) => line.operationId).filter(isUuid))).map((row) => [
      row.id,
      row,
    ]),
  );
  const report: ReconciliationReport = {
    date,
    bankLines: lines.length,
    otherLines: lines.length - ourLines.length,
    operations: 0,
    missing: [],
    extra: [],
    amountMismatch: [],
    statusMismatch: [],
    mismatches: 0,
  };
  const others = input.others ?? [];
  const unknown = ourLines.map((line) => line.operationId).filter((id) => isUuid(id) && !byId.has(id));
  const otherById = new Map<string, OtherBankOperation>();
  for (const source of others) {
    for (const operation of await source.find(unknown)) otherById.set(operation.bankOperationId, operation);
  }
  const seen = new Set<string>();
  for (const line of ourLines) {
    seen.add(line.operationId);
    const other = otherById.get(line.operationId);
    if (other) {
      if (other.amountMinor !== line.amountMinor) report.amountMismatch.push(item(line, other));
      if (
        (line.status === 'succeeded') !== (other.state === 'succeeded') ||
        (line.status === 'failed' && other.state !== 'failed')
      ) {
        report.statusMismatch.push(item(line, other));
      }
      continue;
    }
    const row = byId.get(line.operationId);
    if (!row || row.bank_operation_id !== line.operationId) {
      report.missing.push(item(line, null));
      continue;
    }
    if (row.amount_minor !== line.amountMinor) report.amountMismatch.push(item(line, oursOf(row)));
    const ourSuccess = row.state === 'succeeded';
    if (
      (line.status === 'succeeded') !== ourSuccess ||
      (line.status === 'failed' && row.state !== 'failed')
    ) {
      report.statusMismatch.push(item(line, oursOf(row)));
    }
  }
  const completed = await input.store.completedBetween(day.from, day.to, MAX_OPERATIONS_PER_DAY);
  report.operations = completed.length;
  for (const row of completed) {
    if (row.state === 'succeeded' && !seen.has(row.bank_operation_id))
      report.extra.push(item(null, oursOf(row)));
  }
  for (const source of others) {
    const done = await source.completedBetween(day.from, day.to, MAX_OPERATIONS_PER_DAY);
    report.operations += done.length;
    for (const other of done) {
      if (other.state === 'succeeded' && !seen.has(other.bankOperationId))
        report.extra.push(item(null, other));
    }
  }
  report.mismatches =
    report.missing.length + report.extra.length + report.amountMismatch.length + report.statusMismatch.length;
  return report;
}

function item(line: SettlementLine | null, ours: OtherBankOperation | null): ReconciliationItem {
  return {
    operationId: line?.operationId ?? ours!.bankOperationId,
    kind: line?.kind ?? ours!.kind,
    bank: line ? { amountMinor: line.amountMinor, status: line.status, settledAt: line.settledAt } : null,
    ours: ours ? { amountMinor: ours.amountMinor, state: ours.state, completedAt: ours.completedAt } : null,
  };
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** The report as JSON (amounts as strings of minor units, times as ISO strings). */
export function reportJson(report: ReconciliationReport) {
  const itemJson = (entry: ReconciliationItem) => ({
    operationId: entry.operationId,
    kind: entry.kind,
    bank: entry.bank
      ? {
          amount: entry.bank.amountMinor.toString(),
          status: entry.bank.status,
          settledAt: entry.bank.settledAt.toISOString(),
        }
      : null,
    ours: entry.ours
      ? {
          amount: entry.ours.amountMinor.toString(),
          state: entry.ours.state,
          completedAt: entry.ours.completedAt?.toISOString() ?? null,
        }
      : null,
  });
  return {
    date: report.date,
    bankLines: report.bankLines,
    otherLines: report.otherLines,
    operations: report.operations,
    mismatches: report.mismatches,
    missing: report.missing.map(itemJson),
    extra: report.extra.map(itemJson),
    amountMismatch: report.amountMismatch.map(itemJson),
    statusMismatch: report.statusMismatch.map(itemJson),
  };
}
