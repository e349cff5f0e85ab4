import { describe, expect, it } from 'vitest';
import {
  AccountCodeChart,
  AccountCodes,
  TransferCodeChart,
  TransferCodes,
  transferCodeLabels,
} from './codes.ts';

describe('the chart of ledger codes', () => {
  it('gives every account code to one kind of account, within its range', () => {
    const codes = Object.values(AccountCodes);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect((code >= 100 && code <= 199) || (code >= 900 && code <= 999), `account code ${code}`).toBe(true);
    }
  });

  it('gives every transfer code to one kind of movement, within its range', () => {
    const codes = Object.values(TransferCodeChart).map((entry) => entry.code);
    expect(new Set<number>(codes).size).toBe(codes.length);
    for (const code of codes) {
      expect((code >= 200 && code <= 399) || code === 999, `transfer code ${code}`).toBe(true);
    }
  });

  it('keeps the released codes: they are hashed into the journal and must never change meaning', () => {
    expect(AccountCodes).toEqual({
      wallet: 100,
      fundShares: 110,
      loan: 120,
      escrow: 130,
      merchantBalance: 140,
      testMerchantBalance: 141,
      testFeeIncome: 142,
      testPayer: 150,
      testPayerEmpty: 151,
      bankSettlement: 900,
      feeIncome: 910,
      disputeGoodwill: 920,
      adjustments: 930,
    });
    expect(TransferCodes).toEqual({
      p2p: 200,
      paymentRequest: 201,
      merchantPayment: 210,
      merchantFee: 211,
      merchantRefund: 212,
      merchantRefundFee: 213,
      redPacketSend: 220,
      redPacketClaim: 221,
      redPacketRefund: 222,
      splitShare: 230,
      splitRefund: 231,
      disputeRefund: 240,
      topUp: 300,
      withdrawal: 301,
      withdrawalFee: 302,
      bankTransfer: 303,
      bankTransferFee: 304,
      merchantSettlement: 305,
      adjustmentCredit: 320,
      adjustmentDebit: 321,
      testFunding: 999,
    });
  });

  it('names every kind of account in Chinese and English', () => {
    for (const [name, { label }] of Object.entries(AccountCodeChart)) {
      expect(label['zh-CN'], name).not.toBe('');
      expect(label.en, name).toMatch(/^[A-Z]/);
    }
    const labels = Object.values(AccountCodeChart).map(({ label }) => label.en);
    expect(new Set(labels).size).toBe(labels.length);
  });

  it('labels every code the app makes for history, in Chinese and English', () => {
    const labels = transferCodeLabels();
    expect(Object.keys(labels).map(Number).sort()).toEqual([
      200, 201, 210, 211, 212, 213, 220, 221, 222, 230, 231, 240, 300, 301, 302, 303, 304, 305, 320, 321,
    ]);
    for (const { label } of Object.values(labels)) {
      expect(label['zh-CN']).not.toBe('');
      expect(label.en).toMatch(/^[A-Z]/);
    }
  });
});
