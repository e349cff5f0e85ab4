/**
 * A merchant's daily statement (issue 12, "After the payment"): every payment, refund and
 * settlement of one calendar day (Asia/Shanghai) with its fee, the day's totals, and the opening
 * and closing balance of the merchant's account — as JSON, CSV (UTF-8 with a BOM, so Excel reads
 * the Chinese) or PDF.
 *
 * It is read from the ledger, not from this module's rows: the day's posted transfers on the
 * merchant's balance account, each described by the record its user data names (the order, the
 * refund, the settlement). So the figures are the books' own — opening + what came in − what went
 * out = closing, checked on every statement — and a day is cut where the ledger's clock cuts it.
 * Holds (a settlement under way) and their voids move no posted money and are left out; a
 * settlement appears on the day the bank paid it and its hold was posted.
 */
import { TransferFlags } from '@qianbao/ledger';
import type { Ledger, Transfer } from '@qianbao/ledger';
import { formatDecimal } from '@qianbao/money';
import { AppError } from '../../errors.ts';
import {
  BRAND_NAME,
  FONTS,
  INK,
  MUTED,
  type TableColumn,
  type TableRow,
  drawBrandLine,
  drawPageFooter,
  drawTable,
  printable,
  renderPdf,
} from '../../pdf/index.ts';
import { isCalendarDate, shanghaiDate, shanghaiDay } from '../../platform/calendar.ts';
import { TransferCodes } from '../../platform/codes.ts';
import type { SettlementStore } from './settlement-store.ts';

/** More posted movements than this in one day is not a statement a person reads. */
const MAX_STATEMENT_TRANSFERS = 20_000;
const PAGE = 1000;
const OFFSET_MS = 8 * 3600 * 1000;

export interface StatementPayment {
  at: Date;
  orderId: string;
  merchantOrderId: string;
  /** The payer as the merchant sees them, masked (`*明`). */
  payer: string;
  amountMinor: bigint;
  feeMinor: bigint;
  netMinor: bigint;
}

export interface StatementRefund {
  at: Date;
  refundId: string;
  merchantRefundId: string;
  merchantOrderId: string;
  /** What the payer got back. */
  amountMinor: bigint;
  /** The part of the payment's fee it returned (from fee income, not the merchant's balance). */
  feeReturnedMinor: bigint;
  /** What left the merchant's balance: amount − fee returned. */
  netMinor: bigint;
}

export interface StatementSettlement {
  at: Date;
  settlementId: string;
  cardLast4: string;
  amountMinor: bigint;
}

/** A posted movement of the account that is none of the above (an operator's correction). */
export interface StatementOther {
  at: Date;
  transferId: string;
  code: number;
  /** Signed: positive into the merchant's balance. */
  amountMinor: bigint;
}

export interface Statement {
  merchant: { id: string; name: string };
  date: string;
  currency: string;
  openingBalanceMinor: bigint;
  closingBalanceMinor: bigint;
  payments: StatementPayment[];
  refunds: StatementRefund[];
  settlements: StatementSettlement[];
  others: StatementOther[];
  totals: {
    paymentsMinor: bigint;
    feesMinor: bigint;
    refundsMinor: bigint;
    feesReturnedMinor: bigint;
    settlementsMinor: bigint;
    othersMinor: bigint;
    /** Closing − opening. */
    netMinor: bigint;
  };
  generatedAt: Date;
}

export interface StatementsDeps {
  store: SettlementStore;
  ledger: Pick<Ledger, 'listTransfers' | 'getBalance'>;
  now: () => Date;
}

export class Statements {
  constructor(private readonly deps: StatementsDeps) {}

  /** The statement of a merchant for a calendar day, from its opening to today. */
  async of(input: { merchantId: string; date: string }): Promise<Statement> {
    const { deps } = this;
    const merchant = await deps.store.merchant(input.merchantId);
    if (!merchant) throw new AppError('MERCHANT_NOT_FOUND');
    const now = deps.now();
    if (
      !isCalendarDate(input.date) ||
      input.date < shanghaiDate(merchant.created_at) ||
      input.date > shanghaiDate(now)
    ) {
      throw new AppError('STATEMENT_DATE_INVALID');
    }
    const day = shanghaiDay(input.date);
    const fromMicros = BigInt(day.from.getTime()) * 1000n;
    const toMicros = BigInt(day.to.getTime()) * 1000n;
    const account = merchant.balance_account_id;
    const transfers = await this.transfersBetween(account, fromMicros, toMicros);
    const opening = (await deps.ledger.getBalance(account, fromMicros - 1n))?.postedBalance ?? 0n;
    const closing = (await deps.ledger.getBalance(account, toMicros - 1n))?.postedBalance ?? 0n;

    const idOf = (transfer: Transfer, prefix: string) =>
      transfer.userData?.startsWith(prefix) ? transfer.userData.slice(prefix.length) : null;
    const orderIds = new Set<string>();
    const refundIds = new Set<string>();
    const settlementIds = new Set<string>();
    for (const transfer of transfers) {
      const order = idOf(transfer, 'merchant-order:');
      const refund = idOf(transfer, 'merchant-refund:');
      const settlement = idOf(transfer, 'merchant-settlement:');
      if (order) orderIds.add(order);
      if (refund) refundIds.add(refund);
      if (settlement) settlementIds.add(settlement);
    }
    const [orders, refunds, settlements] = await Promise.all([
      deps.store.ordersByIds([...orderIds]),
      deps.store.refundsByIds([...refundIds]),
      deps.store.getMany([...settlementIds]),
    ]);
    const orderById = new Map(orders.map((row) => [row.id, row]));
    const refundById = new Map(refunds.map((row) => [row.id, row]));
    const settlementById = new Map(settlements.map((row) => [row.id, row]));

    const payments = new Map<string, StatementPayment>();
    const refundLines = new Map<string, StatementRefund>();
    const settlementLines: StatementSettlement[] = [];
    const others: StatementOther[] = [];
    for (const transfer of transfers) {
      const at = new Date(Number(transfer.timestamp / 1000n));
      const into = transfer.creditAccountId === account;
      const signed = into ? transfer.amount : -transfer.amount;
      const orderId = idOf(transfer, 'merchant-order:');
      const order = orderId ? orderById.get(orderId) : undefined;
      if (
        order &&
        orderId &&
        (transfer.code === TransferCodes.merchantPayment || transfer.code === TransferCodes.merchantFee)
      ) {
        const line = payments.get(orderId) ?? {
          at,
          orderId,
          merchantOrderId: order.merchant_order_id,
          payer: order.payer_display ?? '',
          amountMinor: 0n,
          feeMinor: 0n,
          netMinor: 0n,
        };
        if (transfer.code === TransferCodes.merchantPayment) {
          line.amountMinor += signed;
          line.at = at;
        } else line.feeMinor -= signed;
        line.netMinor += signed;
        payments.set(orderId, line);
        continue;
      }
      // A refund is the whole amount out and, linked, the fee's share back in (service.ts); the
      // line is the refund's, its net what the merchant paid. (Early refunds paid the fee's share
      // to the payer from fee income: only their first transfer is the merchant's.)
      const refund = refundById.get(idOf(transfer, 'merchant-refund:') ?? '');
      if (
        refund &&
        (transfer.code === TransferCodes.merchantRefund || transfer.code === TransferCodes.merchantRefundFee)
      ) {
        const line = refundLines.get(refund.id) ?? {
          at,
          refundId: refund.id,
          merchantRefundId: refund.merchant_refund_id,
          merchantOrderId: refund.merchant_order_id,
          amountMinor: refund.amount_minor,
          feeReturnedMinor: refund.fee_minor,
          netMinor: 0n,
        };
        if (transfer.code === TransferCodes.merchantRefund) line.at = at;
        line.netMinor -= signed;
        refundLines.set(refund.id, line);
        continue;
      }
      const settlement = settlementById.get(idOf(transfer, 'merchant-settlement:') ?? '');
      if (settlement && transfer.code === TransferCodes.merchantSettlement) {
        settlementLines.push({
          at,
          settlementId: settlement.id,
          cardLast4: settlement.card_last4,
          amountMinor: -signed,
        });
        continue;
      }
      others.push({ at, transferId: transfer.id, code: transfer.code, amountMinor: signed });
    }

    const paymentLines = [...payments.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
    const refundList = [...refundLines.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
    const sum = <T>(lines: readonly T[], of: (line: T) => bigint) =>
      lines.reduce((total, line) => total + of(line), 0n);
    const totals = {
      paymentsMinor: sum(paymentLines, (line) => line.amountMinor),
      feesMinor: sum(paymentLines, (line) => line.feeMinor),
      refundsMinor: sum(refundList, (line) => line.amountMinor),
      feesReturnedMinor: sum(refundList, (line) => line.feeReturnedMinor),
      settlementsMinor: sum(settlementLines, (line) => line.amountMinor),
      othersMinor: sum(others, (line) => line.amountMinor),
      netMinor: closing - opening,
    };
    const moved =
      totals.paymentsMinor -
      totals.feesMinor -
      (totals.refundsMinor - totals.feesReturnedMinor) -
      totals.settlementsMinor +
      totals.othersMinor;
    // Every posted movement is on exactly one line: anything else is a bug in this reading.
    if (moved !== totals.netMinor) {
      throw new Error(
        `statement ${merchant.id} ${input.date}: lines sum to ${moved}, the ledger moved ${totals.netMinor}`,
      );
    }
    return {
      merchant: { id: merchant.id, name: merchant.name },
      date: input.date,
      currency: 'CNY',
      openingBalanceMinor: opening,
      closingBalanceMinor: closing,
      payments: paymentLines,
      refunds: refundList,
      settlements: settlementLines,
      others,
      totals,
      generatedAt: now,
    };
  }

  /** The posted transfers of the account in [from, to), oldest first (holds and voids left out). */
  private async transfersBetween(account: string, fromMicros: bigint, toMicros: bigint): Promise<Transfer[]> {
    const found: Transfer[] = [];
    let cursor: string | null = toMicros.toString();
    while (cursor !== null) {
      const page = await this.deps.ledger.listTransfers(account, { limit: PAGE, cursor });
      let done = page.nextCursor === null;
      for (const transfer of page.transfers) {
        if (transfer.timestamp < fromMicros) {
          done = true;
          break;
        }
        const holdOrVoid = (transfer.flags & (TransferFlags.pending | TransferFlags.voidPending)) !== 0;
        if (!holdOrVoid) found.push(transfer);
        if (found.length > MAX_STATEMENT_TRANSFERS) throw new AppError('STATEMENT_TOO_LARGE');
      }
      cursor = done ? null : page.nextCursor;
    }
    return found.reverse();
  }
}

// ---- CSV --------------------------------------------------------------------------------------

const CSV_HEADER = [
  '类型 Type',
  '时间 Time',
  '单号 Number',
  '关联订单 Order',
  '付款方 Payer',
  '金额 Amount',
  '手续费 Fee',
  '净额 Net',
];

/**
 * One table, every row the same eight columns, so any CSV reader parses it: the movements, then
 * the totals and balances as rows of their own type. Amounts in yuan (`12.34`); the net is signed
 * as it moved the balance. UTF-8 with a BOM: without it Excel reads the Chinese as mojibake.
 */
export function statementCsv(statement: Statement): Buffer {
  const money = (minor: bigint) => formatDecimal(minor, statement.currency);
  const rows: string[][] = [CSV_HEADER];
  for (const line of statement.payments) {
    rows.push([
      'payment 收款',
      localTime(line.at),
      line.merchantOrderId,
      '',
      line.payer,
      money(line.amountMinor),
      money(line.feeMinor),
      money(line.netMinor),
    ]);
  }
  for (const line of statement.refunds) {
    rows.push([
      'refund 退款',
      localTime(line.at),
      line.merchantRefundId,
      line.merchantOrderId,
      '',
      money(line.amountMinor),
      money(line.feeReturnedMinor),
      money(-line.netMinor),
    ]);
  }
  for (const line of statement.settlements) {
    rows.push([
      'settlement 结算',
      localTime(line.at),
      line.settlementId,
      '',
      `**** ${line.cardLast4}`,
      money(line.amountMinor),
      money(0n),
      money(-line.amountMinor),
    ]);
  }
  for (const line of statement.others) {
    rows.push([
      'other 其他',
      localTime(line.at),
      line.transferId,
      '',
      String(line.code),
      money(line.amountMinor),
      money(0n),
      money(line.amountMinor),
    ]);
  }
  const { totals } = statement;
  const summary: [string, bigint][] = [
    ['opening_balance 期初余额', statement.openingBalanceMinor],
    ['total_payments 收款合计', totals.paymentsMinor],
    ['total_fees 手续费合计', totals.feesMinor],
    ['total_refunds 退款合计', totals.refundsMinor],
    ['total_fees_returned 退回手续费合计', totals.feesReturnedMinor],
    ['total_settlements 结算合计', totals.settlementsMinor],
    ['closing_balance 期末余额', statement.closingBalanceMinor],
  ];
  for (const [type, minor] of summary) rows.push([type, '', '', '', '', '', '', money(minor)]);
  const text = rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

/** Quoted when needed; text a spreadsheet would run as a formula is defused with a leading '. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && !/^-?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** `2025-01-02 10:11:12`, Asia/Shanghai. */
function localTime(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

// ---- PDF --------------------------------------------------------------------------------------

/*
 * A4 landscape, drawn with pdfkit and the embedded, subset Noto Sans SC (../../pdf), as the
 * e-receipt is. The first page has the heading, the balances and totals; the movements follow as
 * one table whose heading row — and a short page heading with the merchant and the day — starts
 * every further page; every page ends with `第 n/N 页 · Page n of N`.
 */
const MARGINS = { top: 40, bottom: 48, left: 40, right: 40 };
const CONTENT_WIDTH = 841.89 - MARGINS.left - MARGINS.right; // A4 landscape
const MAX_TEXT_LENGTH = 60;
const MOVEMENT_COLUMNS: TableColumn[] = [
  { header: '类型 Type', width: 74 },
  { header: '时间 Time', width: 92 },
  { header: '单号 Number', width: 168 },
  { header: '关联订单 Order', width: 118 },
  { header: '付款方 Payer', width: 80 },
  { header: '金额 Amount', width: 76, align: 'right' },
  { header: '手续费 Fee', width: 70, align: 'right' },
  { header: '净额 Net', width: CONTENT_WIDTH - 678, align: 'right' },
];

/** The statement as a PDF: a heading, the balances and totals, then every movement, paged. */
export function statementPdf(statement: Statement): Promise<Buffer> {
  const money = (minor: bigint) => formatDecimal(minor, statement.currency);
  const name = printable(statement.merchant.name, MAX_TEXT_LENGTH);
  const title = `${name} 商户日结单 Daily statement ${statement.date}`;
  const { totals } = statement;
  const summary: TableRow[] = [
    { cells: ['期初余额 Opening balance', money(statement.openingBalanceMinor)], bold: true },
    { cells: ['收款合计 Payments', money(totals.paymentsMinor)] },
    { cells: ['手续费合计 Fees', money(totals.feesMinor)] },
    { cells: ['退款合计 Refunds', money(totals.refundsMinor)] },
    { cells: ['退回手续费 Fees returned', money(totals.feesReturnedMinor)] },
    { cells: ['结算合计 Settlements', money(totals.settlementsMinor)] },
    { cells: ['期末余额 Closing balance', money(statement.closingBalanceMinor)], bold: true },
  ];
  const movements: string[][] = [];
  for (const line of statement.payments) {
    movements.push([
      '收款 Payment',
      localTime(line.at),
      line.merchantOrderId,
      '',
      line.payer,
      money(line.amountMinor),
      money(line.feeMinor),
      money(line.netMinor),
    ]);
  }
  for (const line of statement.refunds) {
    movements.push([
      '退款 Refund',
      localTime(line.at),
      line.merchantRefundId,
      line.merchantOrderId,
      '',
      money(line.amountMinor),
      money(line.feeReturnedMinor),
      money(-line.netMinor),
    ]);
  }
  for (const line of statement.settlements) {
    movements.push([
      '结算 Settlement',
      localTime(line.at),
      line.settlementId,
      '',
      `**** ${line.cardLast4}`,
      money(line.amountMinor),
      money(0n),
      money(-line.amountMinor),
    ]);
  }
  for (const line of statement.others) {
    movements.push([
      '其他 Other',
      localTime(line.at),
      line.transferId,
      '',
      String(line.code),
      money(line.amountMinor),
      money(0n),
      money(line.amountMinor),
    ]);
  }

  return renderPdf(
    {
      title,
      subject: 'Merchant daily statement 商户日结单',
      createdAt: statement.generatedAt,
      size: 'A4',
      layout: 'landscape',
      margins: MARGINS,
      footer: (doc, page) =>
        drawPageFooter(doc, page, {
          margins: MARGINS,
          left: `${BRAND_NAME} · ${name} · ${statement.date} 商户日结单 Daily statement`,
        }),
    },
    (doc) => {
      drawBrandLine(doc, { x: MARGINS.left, y: MARGINS.top, fontSize: 11 });
      doc.font(FONTS.bold).fontSize(16).fillColor(INK);
      doc.text(title, MARGINS.left, MARGINS.top + 30, { width: CONTENT_WIDTH });
      doc.font(FONTS.regular).fontSize(9).fillColor(MUTED);
      doc.text(`币种 Currency: ${statement.currency}  (Asia/Shanghai)`, MARGINS.left, doc.y + 2);
      doc.y += 10;
      drawTable(doc, {
        x: MARGINS.left,
        columns: [
          { header: '', width: 170, color: INK },
          { header: '', width: 110, align: 'right' },
        ],
        rows: summary,
        fontSize: 9.5,
        padding: { x: 4, y: 4 },
      });
      doc.y += 18;
      drawTable(doc, {
        x: MARGINS.left,
        columns: MOVEMENT_COLUMNS,
        rows: movements.map((cells) => ({ cells: cells.map((cell) => printable(cell, MAX_TEXT_LENGTH)) })),
        fontSize: 8,
        padding: { x: 4, y: 4 },
        striped: true,
        onNewPage: () => {
          doc.font(FONTS.bold).fontSize(11).fillColor(INK);
          doc.text(`${title}（续 continued）`, MARGINS.left, MARGINS.top, { width: CONTENT_WIDTH });
          doc.y += 8;
        },
      });
      doc.font(FONTS.regular).fontSize(8).fillColor(MUTED);
      if (movements.length === 0) {
        doc.text('当日无收支 No movements on this day', MARGINS.left, doc.y + 8, { width: CONTENT_WIDTH });
      }
      doc.text(`${BRAND_NAME} · ${statement.generatedAt.toISOString()}`, MARGINS.left, doc.y + 12, {
        width: CONTENT_WIDTH,
      });
    },
  );
}
