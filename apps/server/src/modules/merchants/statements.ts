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

  /** The statement of the owner's merchant for a calendar day, from its opening to today. */
  async of(input: { userId: string; date: string }): Promise<Statement> {
    const { deps } = this;
    const merchant = await deps.store.merchantOfOwner(input.userId);
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
    const refundLines: StatementRefund[] = [];
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
      const refund = refundById.get(idOf(transfer, 'merchant-refund:') ?? '');
      if (refund && transfer.code === TransferCodes.merchantRefund) {
        refundLines.push({
          at,
          refundId: refund.id,
          merchantRefundId: refund.merchant_refund_id,
          merchantOrderId: refund.merchant_order_id,
          amountMinor: refund.amount_minor,
          feeReturnedMinor: refund.fee_minor,
          netMinor: -signed,
        });
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
    const sum = <T>(lines: readonly T[], of: (line: T) => bigint) =>
      lines.reduce((total, line) => total + of(line), 0n);
    const totals = {
      paymentsMinor: sum(paymentLines, (line) => line.amountMinor),
      feesMinor: sum(paymentLines, (line) => line.feeMinor),
      refundsMinor: sum(refundLines, (line) => line.amountMinor),
      feesReturnedMinor: sum(refundLines, (line) => line.feeReturnedMinor),
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
      refunds: refundLines,
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
 * Written as history's e-receipt is (modules/history/receipt-pdf.ts): PDF 1.4 without a library,
 * Helvetica for ASCII text and the standard Chinese font STSong-Light (Adobe-GB1, not embedded;
 * every reader ships it or a substitute) for text with Chinese. The server has no PDF library
 * yet; the statement runs to many pages, so it has its own small page writer here. Only ASCII is
 * written (Chinese as UCS-2 hex), so byte offsets are string offsets.
 */
const PAGE_WIDTH = 842; // A4 landscape, in points
const PAGE_HEIGHT = 595;
const MARGIN = 40;
const LINE = 15;
const COLUMNS = [MARGIN, 130, 260, 400, 520, 600, 680, 760];
const MAX_TEXT_LENGTH = 60;

interface PdfText {
  x: number;
  size: number;
  text: string;
}

/** The statement as a PDF: a heading, the balances and totals, then every movement, paged. */
export function statementPdf(statement: Statement): Buffer {
  const money = (minor: bigint) => formatDecimal(minor, statement.currency);
  const lines: PdfText[][] = [];
  const row = (cells: string[], size = 9) =>
    lines.push(cells.map((text, index) => ({ x: COLUMNS[index] ?? MARGIN, size, text })));
  lines.push([
    { x: MARGIN, size: 16, text: `${statement.merchant.name} 商户日结单 Daily statement ${statement.date}` },
  ]);
  lines.push([{ x: MARGIN, size: 9, text: `币种 Currency: ${statement.currency}  (Asia/Shanghai)` }]);
  lines.push([]);
  const { totals } = statement;
  const summary: [string, bigint][] = [
    ['期初余额 Opening balance', statement.openingBalanceMinor],
    ['收款合计 Payments', totals.paymentsMinor],
    ['手续费合计 Fees', totals.feesMinor],
    ['退款合计 Refunds', totals.refundsMinor],
    ['退回手续费 Fees returned', totals.feesReturnedMinor],
    ['结算合计 Settlements', totals.settlementsMinor],
    ['期末余额 Closing balance', statement.closingBalanceMinor],
  ];
  for (const [label, minor] of summary) row([label, '', money(minor)], 10);
  lines.push([]);
  row([
    '类型 Type',
    '时间 Time',
    '单号 Number',
    '关联订单 Order',
    '付款方 Payer',
    '金额 Amount',
    '手续费 Fee',
    '净额 Net',
  ]);
  for (const line of statement.payments) {
    row([
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
    row([
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
    row([
      '结算 Settlement',
      localTime(line.at),
      line.settlementId.slice(0, 18),
      '',
      `**** ${line.cardLast4}`,
      money(line.amountMinor),
      money(0n),
      money(-line.amountMinor),
    ]);
  }
  for (const line of statement.others) {
    row([
      '其他 Other',
      localTime(line.at),
      line.transferId.slice(0, 18),
      '',
      String(line.code),
      money(line.amountMinor),
      money(0n),
      money(line.amountMinor),
    ]);
  }
  lines.push([]);
  lines.push([{ x: MARGIN, size: 8, text: `钱包 Qianbao · ${statement.generatedAt.toISOString()}` }]);

  const perPage = Math.floor((PAGE_HEIGHT - 2 * MARGIN) / LINE);
  const pages: PdfText[][][] = [];
  for (let start = 0; start < lines.length; start += perPage) pages.push(lines.slice(start, start + perPage));
  return writePdf(pages);
}

function writePdf(pages: PdfText[][][]): Buffer {
  // Objects: 1 catalog, 2 pages, 3 Helvetica, 4 STSong-Light, 5 its CID font, 6 its descriptor,
  // then a page and its content stream for each page.
  const fonts = [
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [5 0 R] >>',
    '<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light ' +
      '/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 6 0 R /DW 1000 >>',
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] ' +
      '/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
  ];
  const firstPage = 7;
  const pageRefs = pages.map((_, index) => `${firstPage + index * 2} 0 R`);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pageRefs.join(' ')}] /Count ${pages.length} >>`,
    ...fonts,
  ];
  pages.forEach((lines, pageIndex) => {
    const content: string[] = [];
    lines.forEach((cells, lineIndex) => {
      const y = PAGE_HEIGHT - MARGIN - (lineIndex + 1) * LINE;
      for (const cell of cells) {
        if (cell.text === '') continue;
        content.push(
          `BT ${fontFor(cell.text)} ${cell.size} Tf 1 0 0 1 ${cell.x} ${y} Tm ${textOperand(cell.text)} Tj ET`,
        );
      }
    });
    content.push(
      `BT /F1 8 Tf 1 0 0 1 ${PAGE_WIDTH - MARGIN - 40} ${MARGIN / 2} Tm (${pageIndex + 1} / ${pages.length}) Tj ET`,
    );
    const stream = content.join('\n');
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_WIDTH} ${PAGE_HEIGHT}] ` +
        `/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents ${firstPage + pageIndex * 2 + 1} 0 R >>`,
      `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    );
  });
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, index) => {
    offsets.push(pdf.length);
    pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xrefAt = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

function isAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}

function fontFor(text: string): string {
  return isAscii(clip(text)) ? '/F1' : '/F2';
}

/** A literal string for Helvetica, or UCS-2 hex for STSong-Light (characters beyond the BMP → ?). */
function textOperand(raw: string): string {
  const text = clip(raw);
  if (isAscii(text)) return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  let hex = '';
  for (const character of text) {
    const code = character.codePointAt(0)!;
    const unit = code > 0xffff || code < 0x20 ? 0x3f : code;
    hex += unit.toString(16).padStart(4, '0');
  }
  return `<${hex}>`;
}

function clip(text: string): string {
  return [...text].slice(0, MAX_TEXT_LENGTH).join('');
}
