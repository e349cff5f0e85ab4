/**
 * The merchant's daily statement: its figures are the ledger's (each line and total against the
 * merchant account's own movements, opening + movements = closing), the CSV parses with its BOM
 * and header, the PDF read back shows the same lines and figures (paged, the heading and page
 * numbers on every page), and days outside the merchant's life are refused.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TransferFlags, newId } from '@qianbao/ledger';
import { readPdf } from '../../pdf/testing.ts';
import { shanghaiDate } from '../../platform/calendar.ts';
import { TransferCodes } from '../../platform/codes.ts';
import { statementPdf } from './statements.ts';
import type { Statement } from './statements.ts';
import type { TestHolder } from '../identity/testing.ts';
import { createFundingTestApp, holderWithCard } from '../funding/testing.ts';
import { payOrder } from './testing.ts';
import type { FundingTestApp } from '../funding/testing.ts';
import { cny, errorCode, expectBooksBalanced } from '../transfers/testing.ts';

let subject: FundingTestApp;
beforeAll(async () => (subject = await createFundingTestApp()));
afterAll(async () => subject.close());
afterEach(async () => expectBooksBalanced(subject));

async function payerWithMoney(): Promise<TestHolder> {
  const { holder } = await holderWithCard(subject);
  const bank = newId();
  await subject.ledger.createAccounts([{ id: bank, currency: 'CNY', code: 1, ownerRef: 'system:test-bank' }]);
  const [funded] = await subject.ledger.createTransfers([
    {
      id: newId(),
      debitAccountId: bank,
      creditAccountId: holder.walletAccountId,
      amount: 1_000_000n,
      currency: 'CNY',
      code: TransferCodes.testFunding,
    },
  ]);
  expect(funded!.result).toBe('ok');
  return holder;
}

function takePayment(owner: TestHolder, payer: TestHolder, amount: string): Promise<string> {
  return payOrder(subject, { owner, payer, amount });
}

function statement(owner: TestHolder, date: string, format?: 'csv' | 'pdf') {
  return subject.app.inject({
    method: 'GET',
    url: `/v1/me/merchant/statements/${date}${format ? `?format=${format}` : ''}`,
    headers: owner.headers,
  });
}

type Money = { amount: string };
interface StatementJson {
  openingBalance: Money;
  closingBalance: Money;
  payments: { merchantOrderId: string; payer: string; amount: Money; fee: Money; net: Money }[];
  refunds: { merchantRefundId: string; amount: Money; feeReturned: Money; net: Money }[];
  settlements: { settlementId: string; amount: Money }[];
  others: unknown[];
  totals: Record<'payments' | 'fees' | 'refunds' | 'feesReturned' | 'settlements' | 'others' | 'net', Money>;
}

describe('the daily statement', () => {
  it("lists the day's payments, refunds and settlement with the ledger's own figures", async () => {
    const { holder: owner, cardId } = await holderWithCard(subject);
    const opened = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant',
      headers: owner.headers,
      payload: { name: '李记面馆', city: '上海', mcc: '5812' },
    });
    expect(opened.statusCode, opened.body).toBe(201);
    const merchantAccount = (
      await subject.ledger.findAccounts({ ownerRef: `merchant:${opened.json<{ id: string }>().id}` })
    )[0]!.id;
    await subject.app.inject({
      method: 'PUT',
      url: '/v1/me/merchant/settlement-card',
      headers: owner.headers,
      payload: { cardId },
    });
    const payer = await payerWithMoney();
    const first = await takePayment(owner, payer, '10000'); // fee 38
    await takePayment(owner, payer, '2550'); // fee 10
    const refunded = await subject.app.inject({
      method: 'POST',
      url: `/v1/me/merchant/orders/${first}/refunds`,
      headers: owner.headers,
      payload: { merchantRefundId: 'r1', amount: cny('5000'), reason: '少上一份' },
    });
    expect(refunded.statusCode, refunded.body).toBe(201);
    const settled = await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant/settlements',
      headers: { ...owner.headers, 'idempotency-key': randomUUID() },
      payload: { amount: cny('3000') },
    });
    expect(settled.statusCode, settled.body).toBe(201);

    const today = shanghaiDate(new Date());
    const response = await statement(owner, today);
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json<StatementJson>();
    expect(body.payments.map((p) => [p.amount.amount, p.fee.amount, p.net.amount, p.payer])).toEqual([
      ['10000', '38', '9962', '**明'],
      ['2550', '10', '2540', '**明'],
    ]);
    // Half refunded: half the fee (19) comes back from fee income; 4981 left the balance.
    expect(body.refunds).toMatchObject([
      {
        merchantRefundId: 'r1',
        amount: { amount: '5000' },
        feeReturned: { amount: '19' },
        net: { amount: '4981' },
      },
    ]);
    expect(body.settlements).toMatchObject([{ amount: { amount: '3000' } }]);
    expect(body.others).toEqual([]);
    expect(body.openingBalance.amount).toBe('0');
    const closing = 9962 + 2540 - 4981 - 3000;
    expect(body.closingBalance.amount).toBe(String(closing));
    expect(body.totals).toMatchObject({
      payments: { amount: '12550' },
      fees: { amount: '48' },
      refunds: { amount: '5000' },
      feesReturned: { amount: '19' },
      settlements: { amount: '3000' },
      net: { amount: String(closing) },
    });

    // The ledger's own movements of the merchant's account agree, posted ones only.
    const { transfers } = await subject.ledger.listTransfers(merchantAccount, { limit: 100 });
    let moved = 0n;
    for (const transfer of transfers) {
      if ((transfer.flags & (TransferFlags.pending | TransferFlags.voidPending)) !== 0) continue;
      moved += transfer.creditAccountId === merchantAccount ? transfer.amount : -transfer.amount;
    }
    expect(moved).toBe(BigInt(closing));
    expect((await subject.ledger.getBalance(merchantAccount))!.postedBalance).toBe(BigInt(closing));

    // CSV: a BOM, a header, eight columns on every row, the same figures.
    const csv = await statement(owner, today, 'csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const raw = csv.rawPayload;
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = raw
      .subarray(3)
      .toString('utf8')
      .trimEnd()
      .split('\r\n')
      .map((line) => line.split(','));
    expect(rows[0]).toEqual([
      '类型 Type',
      '时间 Time',
      '单号 Number',
      '关联订单 Order',
      '付款方 Payer',
      '金额 Amount',
      '手续费 Fee',
      '净额 Net',
    ]);
    for (const row of rows) expect(row).toHaveLength(8);
    const payments = rows.filter((row) => row[0] === 'payment 收款');
    expect(payments.map((row) => row[5])).toEqual(['100.00', '25.50']);
    const closingRow = rows.find((row) => row[0] === 'closing_balance 期末余额')!;
    expect(closingRow[7]).toBe((closing / 100).toFixed(2));

    const pdf = await statement(owner, today, 'pdf');
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.rawPayload.toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
    // Read back as a reader shows it: the same lines and figures as the JSON and the CSV.
    const read = await readPdf(pdf.rawPayload);
    expect(read.pages).toHaveLength(1);
    const text = read.pages[0]!;
    expect(text).toContain(`李记面馆 商户日结单 Daily statement ${today}`);
    expect(text).toContain('币种 Currency: CNY');
    expect(text).toMatch(/期初余额 Opening balance\s+0\.00/);
    expect(text).toMatch(/手续费合计 Fees\s+0\.48/);
    expect(text).toMatch(new RegExp(`期末余额 Closing balance\\s+${(closing / 100).toFixed(2)}`));
    expect(text).toMatch(new RegExp(`收款 Payment .*${first}\\s+\\*\\*明\\s+100\\.00\\s+0\\.38\\s+99\\.62`));
    expect(text).toMatch(new RegExp(`退款 Refund .*r1\\s+${first}\\s+50\\.00\\s+0\\.19\\s+-49\\.81`));
    expect(text).toContain(body.settlements[0]!.settlementId);
    expect(text).toContain('第 1/1 页 · Page 1 of 1');
  });

  it('refuses a day before the merchant opened, after today, or no day at all', async () => {
    const { holder: owner } = await holderWithCard(subject);
    await subject.app.inject({
      method: 'POST',
      url: '/v1/me/merchant',
      headers: owner.headers,
      payload: { name: '王记包子', city: '北京', mcc: '5812' },
    });
    for (const date of ['2020-01-01', '2099-01-01', '2025-02-30']) {
      const response = await statement(owner, date);
      expect(response.statusCode, date).toBe(400);
      expect(errorCode(response)).toBe('STATEMENT_DATE_INVALID');
    }
    const empty = await statement(owner, shanghaiDate(new Date()));
    expect(empty.json()).toMatchObject({
      payments: [],
      openingBalance: { amount: '0' },
      closingBalance: { amount: '0' },
    });
    expect(errorCode(await statement(await payerWithMoney(), shanghaiDate(new Date())))).toBe(
      'MERCHANT_NOT_FOUND',
    );
  });
});

describe('the statement as a PDF', () => {
  /** A day of `payments` payments of ¥12.34, ¥13.34 … (fee ¥0.05 each), one refund and one settlement. */
  function busyDay(payments: number): Statement {
    const at = new Date('2025-03-04T02:00:00Z');
    const lines = Array.from({ length: payments }, (_, index) => ({
      at: new Date(at.getTime() + index * 60_000),
      orderId: `order-${index}`,
      merchantOrderId: `A${String(index).padStart(4, '0')}`,
      payer: '*明',
      amountMinor: 1234n + BigInt(index) * 100n,
      feeMinor: 5n,
      netMinor: 1229n + BigInt(index) * 100n,
    }));
    const paid = lines.reduce((total, line) => total + line.amountMinor, 0n);
    const net = paid - 5n * BigInt(payments) - 4981n - 3000n;
    return {
      merchant: { id: 'm-1', name: '测试小店' },
      date: '2025-03-04',
      currency: 'CNY',
      openingBalanceMinor: 10_000n,
      closingBalanceMinor: 10_000n + net,
      payments: lines,
      refunds: [
        {
          at,
          refundId: 'refund-1',
          merchantRefundId: 'R0001',
          merchantOrderId: 'A0000',
          amountMinor: 5000n,
          feeReturnedMinor: 19n,
          netMinor: 4981n,
        },
      ],
      settlements: [
        { at, settlementId: '0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', cardLast4: '6789', amountMinor: 3000n },
      ],
      others: [],
      totals: {
        paymentsMinor: paid,
        feesMinor: 5n * BigInt(payments),
        refundsMinor: 5000n,
        feesReturnedMinor: 19n,
        settlementsMinor: 3000n,
        othersMinor: 0n,
        netMinor: net,
      },
      generatedAt: new Date('2025-03-05T01:00:00Z'),
    };
  }

  it('runs to more pages with the heading, the table heading and the page number on each', async () => {
    const day = busyDay(50);
    const pdf = await statementPdf(day);
    expect(pdf.length).toBeLessThan(300_000);
    const { pages, sizes, info } = await readPdf(pdf);
    expect(pages).toHaveLength(3);
    expect(sizes[0]!.width).toBeCloseTo(841.89, 1); // A4 landscape
    expect(sizes[0]!.height).toBeCloseTo(595.28, 1);
    expect(info).toMatchObject({
      Title: '测试小店 商户日结单 Daily statement 2025-03-04',
      Author: 'Qianbao',
    });
    pages.forEach((text, index) => {
      expect(text).toContain('测试小店 商户日结单 Daily statement 2025-03-04');
      expect(text).toContain('类型 Type');
      expect(text).toContain('净额 Net');
      expect(text).toContain(`第 ${index + 1}/3 页 · Page ${index + 1} of 3`);
      if (index > 0) expect(text).toContain('（续 continued）');
    });
    const all = pages.join('\n');
    expect(pages[0]).toMatch(/期初余额 Opening balance\s+100\.00/);
    expect(pages[0]).toMatch(/手续费合计 Fees\s+2\.50/);
    for (const line of day.payments) {
      const amount = (Number(line.amountMinor) / 100).toFixed(2);
      expect(all).toMatch(new RegExp(`${line.merchantOrderId}\\s+\\*明\\s+${amount}\\s+0\\.05`));
    }
    expect(all).toMatch(/退款 Refund .*R0001\s+A0000\s+50\.00\s+0\.19\s+-49\.81/);
    expect(all).toMatch(/结算 Settlement .*0195a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b\s+\*\*\*\* 6789\s+30\.00/);
    expect(pages[2]).toContain('钱包 Qianbao · 2025-03-05T01:00:00.000Z');
    // The same statement gives the same file.
    expect((await statementPdf(day)).equals(pdf)).toBe(true);
  });

  it('says so on a day without movements', async () => {
    const { pages } = await readPdf(await statementPdf({ ...busyDay(0), refunds: [], settlements: [] }));
    expect(pages).toHaveLength(1);
    expect(pages[0]).toContain('当日无收支 No movements on this day');
  });
});
