/**
 * The chart of ledger codes: every account code and transfer code the server uses, in one
 * place, each with what it means. A ledger `code` is part of the books (it is hashed into the
 * journal and printed by `qianbao verify`), so a code, once released, never changes meaning;
 * a new kind of account or movement takes a new code here. `codes.test.ts` checks that no two
 * entries share a code and that every code sits in its range.
 *
 * Ranges: accounts 100–199 holders' own, 900–999 the operator's (system) accounts;
 * transfers 200–299 between holders, 300–399 to and from banks (320–329 operators' manual
 * adjustments, against the bank's adjustments account), 999 test funding only.
 */

/** History's words for a movement, when no module has a richer description of it. */
export interface CodeLabel {
  /** The `type` history answers (`transfer`, `top_up`, `fee` …). */
  type: string;
  label: { 'zh-CN': string; en: string };
}

/** The words for an account's purpose, for whoever shows one (a statement, the operator). */
export interface AccountCodeLabel {
  label: { 'zh-CN': string; en: string };
}

/**
 * Ledger account codes, with what each kind of account is called. Holders' own accounts
 * (100–199) are opened per owner, currency and purpose by the account directory
 * (platform/accounts.ts), which also gives each its flags.
 */
export const AccountCodeChart = {
  /** A holder's wallet (credit-normal; debits must not exceed credits). */
  wallet: { code: 100, label: { 'zh-CN': '钱包', en: 'Wallet' } },
  /** A holder's money-market fund shares, in the fund's currency (credit-normal, never negative). */
  fundShares: { code: 110, label: { 'zh-CN': '基金份额', en: 'Fund shares' } },
  /** What a holder owes on a loan (debit-normal; repayments must not exceed what was drawn). */
  loan: { code: 120, label: { 'zh-CN': '借款', en: 'Loan' } },
  /** Money a holder set aside until others claim it, e.g. red packets (credit-normal, never negative). */
  escrow: { code: 130, label: { 'zh-CN': '待领取资金', en: 'Escrow' } },
  /** A merchant's takings not yet settled to its card (credit-normal, never negative). */
  merchantBalance: { code: 140, label: { 'zh-CN': '商户余额', en: 'Merchant balance' } },
  /** A merchant's test-mode takings (ADR 0022: test money, never meets live money). */
  testMerchantBalance: { code: 141, label: { 'zh-CN': '测试商户余额', en: 'Test merchant balance' } },
  /** The discount fees a merchant's test mode pays (test money; the operator's, per merchant). */
  testFeeIncome: { code: 142, label: { 'zh-CN': '测试手续费', en: 'Test fees' } },
  /** Where a merchant's test payments come from: a test payer with endless test money. */
  testPayer: { code: 150, label: { 'zh-CN': '测试付款人', en: 'Test payer' } },
  /** A test payer whose wallet is always empty: its payments fail for insufficient funds. */
  testPayerEmpty: { code: 151, label: { 'zh-CN': '测试付款人（余额不足）', en: 'Test payer (no funds)' } },
  /** The operator's account at the bank, mirrored (debit-normal). */
  bankSettlement: { code: 900, label: { 'zh-CN': '银行结算户', en: 'Bank settlement' } },
  /** Fees charged to holders (credit-normal). */
  feeIncome: { code: 910, label: { 'zh-CN': '手续费收入', en: 'Fee income' } },
  /**
   * What the operator pays out of its own pocket to settle a dispute (debit-normal, an expense):
   * a goodwill refund where no merchant can be charged (a transfer between holders, a top-up).
   */
  disputeGoodwill: { code: 920, label: { 'zh-CN': '争议赔付', en: 'Dispute goodwill' } },
  /** The counter-account of operators' manual adjustments (modules/approvals; no balance rule). */
  adjustments: { code: 930, label: { 'zh-CN': '人工调账', en: 'Manual adjustments' } },
} as const satisfies Record<string, AccountCodeLabel & { code: number }>;

export type AccountCodeName = keyof typeof AccountCodeChart;

/** The account codes by name: `AccountCodes.wallet` is 100. */
export const AccountCodes = Object.fromEntries(
  Object.entries(AccountCodeChart).map(([name, entry]) => [name, entry.code]),
) as { readonly [N in AccountCodeName]: (typeof AccountCodeChart)[N]['code'] };

/** Ledger transfer codes, with how history describes each. */
export const TransferCodeChart = {
  p2p: { code: 200, type: 'transfer', label: { 'zh-CN': '转账', en: 'Transfer' } },
  paymentRequest: {
    code: 201,
    type: 'payment_request',
    label: { 'zh-CN': '收款请求', en: 'Payment request' },
  },
  topUp: { code: 300, type: 'top_up', label: { 'zh-CN': '充值', en: 'Top-up' } },
  withdrawal: { code: 301, type: 'withdrawal', label: { 'zh-CN': '提现', en: 'Withdrawal' } },
  withdrawalFee: { code: 302, type: 'fee', label: { 'zh-CN': '提现手续费', en: 'Withdrawal fee' } },
  bankTransfer: {
    code: 303,
    type: 'bank_transfer',
    label: { 'zh-CN': '转账到银行卡', en: 'Transfer to bank account' },
  },
  bankTransferFee: { code: 304, type: 'fee', label: { 'zh-CN': '转账手续费', en: 'Bank transfer fee' } },
  /** A merchant's takings paid out to its settlement card (the merchant's balance → bank settlement). */
  merchantSettlement: {
    code: 305,
    type: 'merchant_settlement',
    label: { 'zh-CN': '商户结算', en: 'Merchant settlement' },
  },
  /** A holder pays a merchant (payer's wallet → the merchant's balance). */
  merchantPayment: { code: 210, type: 'merchant_payment', label: { 'zh-CN': '付款', en: 'Payment' } },
  /** The merchant discount rate taken at payment (the merchant's balance → fee income). */
  merchantFee: { code: 211, type: 'fee', label: { 'zh-CN': '商户手续费', en: 'Merchant fee' } },
  /** A merchant refunds a payment (the merchant's balance → the payer's wallet, the whole refund). */
  merchantRefund: { code: 212, type: 'refund', label: { 'zh-CN': '退款', en: 'Refund' } },
  /**
   * The fee's share returned with a refund, pro rata (fee income → the merchant's balance, linked
   * before the refund). Refunds made before 2026-12-06 paid it to the payer's wallet instead.
   */
  merchantRefundFee: { code: 213, type: 'refund', label: { 'zh-CN': '退款', en: 'Refund' } },
  /** A holder sends a red packet: its whole amount into the sender's escrow (wallet → escrow). */
  redPacketSend: { code: 220, type: 'red_packet', label: { 'zh-CN': '发红包', en: 'Red packet sent' } },
  /** A share of a red packet claimed (the sender's escrow → the claimer's wallet). */
  redPacketClaim: {
    code: 221,
    type: 'red_packet',
    label: { 'zh-CN': '领红包', en: 'Red packet received' },
  },
  /** What nobody claimed of a red packet, back to its sender (the sender's escrow → wallet). */
  redPacketRefund: {
    code: 222,
    type: 'red_packet_refund',
    label: { 'zh-CN': '红包退款', en: 'Red packet refund' },
  },
  /** A participant pays their share of a split bill (the participant's wallet → the organiser's). */
  splitShare: { code: 230, type: 'split', label: { 'zh-CN': 'AA 收款', en: 'Split bill' } },
  /** The organiser gives a paid share back (the organiser's wallet → the participant's). */
  splitRefund: { code: 231, type: 'split_refund', label: { 'zh-CN': 'AA 退款', en: 'Split bill refund' } },
  /** A dispute settled by the operator's goodwill (the dispute goodwill account → the holder's wallet). */
  disputeRefund: {
    code: 240,
    type: 'dispute_refund',
    label: { 'zh-CN': '争议退款', en: 'Dispute refund' },
  },
  /** An approved manual adjustment credits a wallet (the adjustments account → the wallet). */
  adjustmentCredit: {
    code: 320,
    type: 'adjustment',
    label: { 'zh-CN': '调账入账', en: 'Adjustment credit' },
  },
  /** An approved manual adjustment debits a wallet (the wallet → the adjustments account). */
  adjustmentDebit: { code: 321, type: 'adjustment', label: { 'zh-CN': '调账扣款', en: 'Adjustment debit' } },
  /** Money put into wallets by tests and the admin ledger API's examples; never by the app. */
  testFunding: { code: 999, type: 'other', label: { 'zh-CN': '资金变动', en: 'Wallet movement' } },
} as const satisfies Record<string, CodeLabel & { code: number }>;

export type TransferCodeName = keyof typeof TransferCodeChart;

/** The transfer codes by name: `TransferCodes.topUp` is 300. */
export const TransferCodes = Object.fromEntries(
  Object.entries(TransferCodeChart).map(([name, entry]) => [name, entry.code]),
) as { readonly [N in TransferCodeName]: (typeof TransferCodeChart)[N]['code'] };

/** History's description of every transfer code the server makes (test funding excluded). */
export function transferCodeLabels(): Record<number, CodeLabel> {
  const labels: Record<number, CodeLabel> = {};
  for (const [name, entry] of Object.entries(TransferCodeChart)) {
    if (name === 'testFunding') continue;
    labels[entry.code] = { type: entry.type, label: entry.label };
  }
  return labels;
}
