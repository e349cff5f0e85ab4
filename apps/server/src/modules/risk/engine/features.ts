/**
 * What the risk engine knows about one request: the feature catalogue, the state it reads, how
 * each event changes that state, and `derive(facts, state)` which turns facts plus state into the
 * features the rules read. Everything here is pure; the stores (memory-store.ts, ../store.ts) only
 * keep what the change lists below tell them to keep, so both give the same features for the same
 * event stream.
 *
 * Assumptions and choices, each explained where it is made:
 * - Velocity counts include the attempt being judged: "holder_payments_1m ≥ 5" reads "this is at
 *   least the fifth payment attempt in a minute" (domain-rules §7's wording).
 * - Every judged payment attempt counts, whatever was decided: a fraudster whose attempts are
 *   blocked must keep looking fast, not start afresh.
 * - "Payments" are every kind of movement the pipeline judges (top-ups included: card testing is
 *   a burst of top-ups).
 * - A new payee is counted once per (holder, payee) a day, however often the payment is retried
 *   (a wrong PIN, a step-up, too little money): `COUNTERS.pairTries`. So is a new payer of a
 *   payee's wallet (fan-in). Counting attempts would make every retry look like a fan-out.
 * - A merchant (`merchant:<id>` payee) is never a new payee for the fan-out and first-time-payee
 *   counts: a shop is not where a mule sends money, and counting every new shop would fire on
 *   every holiday. `payee_first_time` itself is still true for a shop never paid before.
 * - The amount history is an exponentially decayed histogram kept by forward decay (see
 *   `AMOUNT_HALF_LIFE_MS`), so recording a payment is a pure increment — no read-modify-write of
 *   the whole histogram, safe under concurrent writers.
 * - The holder's age is the engine's own: the earliest first sight of any of its devices (the
 *   `device_seen` changes of sign-ins, registration included, and payments), so it needs no change
 *   of its own. It separates "an established holder on a new device" (a takeover's shape) from "a
 *   new holder on their first device" (every new customer's first day). A holder active before
 *   the engine ran looks new to it for its first week.
 * - A merchant refund (subject `merchant_refund`) reads and changes none of that: only the
 *   merchant's refund and takings counters and the payee lists (`refundFeatures`). It counts
 *   when let through, not on every attempt: a refused refund moves nothing, and a merchant's
 *   refunds are measured as money returned, not as tries (`refundChanges`).
 * - A red packet is judged once, when it is sent (kind `red_packet`); its shares, credited as they
 *   are claimed, are judged by nobody but learnt by the state (`receivedChanges`): the claimer's
 *   incoming money, and the sender's fan-out — how many shares went out, how many to accounts
 *   registered less than a day before — which the sender's next packet is judged on. The
 *   claimer's age there is its registration's, not the engine's first sight (a claim has no
 *   device of its own to see).
 */
import type {
  Facts,
  Features,
  HolderFacts,
  MerchantRefundFacts,
  PaymentFacts,
  Place,
  ReceivedFacts,
  RiskState,
  SignInFacts,
  Subject,
  WindowTotals,
} from './types.ts';

// ─── The feature catalogue ──────────────────────────────────────────────────────────────────────

/**
 * Which rules may read a feature: one subject's; `both`, a holder's two (payment and sign-in);
 * or a list (the payee lists: a payment's payee and a refund's payer are both who gets money).
 */
export type FeatureSubject = Subject | 'both' | readonly Subject[];
export type FeatureType = 'number' | 'boolean';

export interface FeatureDefinition {
  subject: FeatureSubject;
  type: FeatureType;
  description: { zh: string; en: string };
}

const payment = (type: FeatureType, zh: string, en: string): FeatureDefinition => ({
  subject: 'payment',
  type,
  description: { zh, en },
});
const both = (type: FeatureType, zh: string, en: string): FeatureDefinition => ({
  subject: 'both',
  type,
  description: { zh, en },
});
const refund = (type: FeatureType, zh: string, en: string): FeatureDefinition => ({
  subject: 'merchant_refund',
  type,
  description: { zh, en },
});
const whoGetsMoney = (type: FeatureType, zh: string, en: string): FeatureDefinition => ({
  subject: ['payment', 'merchant_refund'],
  type,
  description: { zh, en },
});

/**
 * Every feature a rule may read. Numbers are plain numbers (amounts in minor units, exact below
 * 2^53); null means "no value" (no history, no device, place unknown), and any comparison with a
 * null is false (rules.ts).
 */
export const FEATURES = {
  amount_minor: payment('number', '金额（分）', 'Amount in minor units'),
  balance_minor: payment(
    'number',
    '付款前可用余额（分）',
    'Available balance before the payment, minor units',
  ),
  amount_to_balance: payment(
    'number',
    '金额占余额的比例',
    'Amount divided by the balance before it (null: no balance)',
  ),
  holder_payments_1m: payment(
    'number',
    '1 分钟内付款次数（含本次）',
    'Payment attempts of the holder in 1 minute, this one included',
  ),
  holder_payments_10m: payment(
    'number',
    '10 分钟内付款次数（含本次）',
    'Payment attempts of the holder in 10 minutes, this one included',
  ),
  holder_payments_1h: payment(
    'number',
    '1 小时内付款次数（含本次）',
    'Payment attempts of the holder in 1 hour, this one included',
  ),
  holder_payments_24h: payment(
    'number',
    '24 小时内付款次数（含本次）',
    'Payment attempts of the holder in 24 hours, this one included',
  ),
  holder_amount_24h: payment(
    'number',
    '24 小时内付款金额合计（分，含本次）',
    'Sum of the holder’s attempts in 24 hours, minor units, this one included',
  ),
  holder_new_payees_1h: payment(
    'number',
    '1 小时内尝试付款的新收款人数（不含商户；同一收款人重试只算一次）',
    'Never-paid payees first tried in 1 hour (merchants excluded; a retry of the same payee counts once), this one included',
  ),
  holder_new_payees_24h: payment(
    'number',
    '24 小时内尝试付款的新收款人数（不含商户；同一收款人重试只算一次）',
    'Never-paid payees first tried in 24 hours (merchants excluded; a retry of the same payee counts once), this one included',
  ),
  holder_cards_24h: payment(
    'number',
    '24 小时内用于充值的不同银行卡数',
    'Distinct cards topped up from in 24 hours, this one included',
  ),
  device_payments_1h: payment(
    'number',
    '该设备 1 小时内付款次数',
    'Payment attempts from this device in 1 hour, any holder (null: no device)',
  ),
  ip_payments_1h: payment(
    'number',
    '该 IP 1 小时内付款次数',
    'Payment attempts from this IP in 1 hour, any holder (null: no IP)',
  ),
  holder_received_24h: payment(
    'number',
    '24 小时内钱包到账笔数（来自其他钱包）',
    'Successful payments into the holder’s wallet from other wallets in 24 hours',
  ),
  holder_incoming_24h: payment(
    'number',
    '24 小时内他人向该用户钱包付款的尝试次数（无论结果）',
    'Payment attempts into the holder’s wallet from other wallets in 24 hours, whatever was decided (many people paying an account that then pays out: a mule)',
  ),
  holder_received_amount_24h: payment(
    'number',
    '24 小时内钱包到账金额（分）',
    'Sum of the successful payments into the holder’s wallet in 24 hours, minor units (money passing through)',
  ),
  payee_received_1h: payment(
    'number',
    '收款钱包 1 小时内收款次数',
    'Payments into the payee’s wallet in 1 hour (null: payee is not a wallet)',
  ),
  payee_received_24h: payment(
    'number',
    '收款钱包 24 小时内收款次数',
    'Payments into the payee’s wallet in 24 hours (null: payee is not a wallet)',
  ),
  payee_amount_1h: payment(
    'number',
    '收款钱包 1 小时内收款金额（分）',
    'Sum paid into the payee’s wallet in 1 hour, minor units',
  ),
  payee_new_payers_1h: payment(
    'number',
    '收款钱包 1 小时内首次付款人数（同一付款人重试只算一次）',
    'Payers paying the payee’s wallet for the first time, first trying within 1 hour (a retry counts once)',
  ),
  card_topups_1h: payment(
    'number',
    '该卡 1 小时内充值次数',
    'Top-ups from this card in 1 hour (null: no card)',
  ),
  card_topups_24h: payment(
    'number',
    '该卡 24 小时内充值次数',
    'Top-ups from this card in 24 hours (null: no card)',
  ),
  holder_amount_median: payment(
    'number',
    '约 90 天付款金额中位数（分）',
    'Median of the holder’s successful payments over about 90 days (null: fewer than 5)',
  ),
  holder_amount_p95: payment(
    'number',
    '约 90 天付款金额 95 分位（分）',
    '95th percentile of the holder’s successful payments over about 90 days (null: fewer than 5)',
  ),
  amount_over_median: payment('number', '金额 ÷ 中位数', 'Amount divided by the 90-day median'),
  amount_over_p95: payment('number', '金额 ÷ 95 分位', 'Amount divided by the 90-day 95th percentile'),
  payee_first_time: payment(
    'boolean',
    '首次付款给该收款人',
    'The holder never paid this payee successfully before',
  ),
  payee_days_known: payment(
    'number',
    '首次付款给该收款人至今天数',
    'Days since the holder first paid this payee (null: never)',
  ),
  payee_is_merchant: payment('boolean', '收款方是商户', 'The payee is a merchant'),
  payee_is_wallet: payment('boolean', '收款方是钱包用户', 'The payee is a wallet holder'),
  card_new_today: payment(
    'boolean',
    '该卡 24 小时内首次充值',
    'First top-up from this card in 24 hours (false when no card)',
  ),
  kind_is_top_up: payment('boolean', '充值', 'The payment is a top-up'),
  kind_is_withdrawal: payment('boolean', '提现', 'The payment is a withdrawal'),
  kind_is_transfer: payment('boolean', '转账', 'The payment is a wallet transfer'),
  kind_is_bank_transfer: payment('boolean', '转账到银行账户', 'The payment is a transfer to a bank account'),
  kind_is_payment_request: payment('boolean', '付款码/收款请求', 'The payment answers a payment request'),
  kind_is_payout: payment(
    'boolean',
    '资金离开钱包体系（提现或转银行）',
    'Money leaves the wallet system (withdrawal or bank transfer)',
  ),
  kind_is_red_packet: payment('boolean', '发红包', 'The payment sends a red packet'),
  holder_red_packets_1h: payment(
    'number',
    '1 小时内发红包次数（含本次）',
    'Red packets the holder tried to send in 1 hour, this one included',
  ),
  holder_red_packets_24h: payment(
    'number',
    '24 小时内发红包次数（含本次）',
    'Red packets the holder tried to send in 24 hours, this one included',
  ),
  holder_red_packet_claims_24h: payment(
    'number',
    '24 小时内该用户红包被领取的份数',
    'Shares of the holder’s red packets claimed by others in 24 hours (fan-out)',
  ),
  holder_red_packet_new_claimers_24h: payment(
    'number',
    '24 小时内领取该用户红包的新注册用户份数（注册不到 1 天）',
    'Shares of the holder’s red packets claimed in 24 hours by holders registered less than a day before (money spread over fresh accounts)',
  ),
  denied_payee: whoGetsMoney(
    'boolean',
    '收款人在黑名单（退款：收到退款的付款人）',
    'The payee is on the deny list (a refund: the payer who gets it back)',
  ),
  denied_card_bin: payment('boolean', '卡 BIN 在黑名单', 'The card’s BIN is on the deny list'),
  allowed_payee: whoGetsMoney(
    'boolean',
    '收款人在白名单（退款：收到退款的付款人）',
    'The payee is on the allow list (a refund: the payer who gets it back)',
  ),
  allowed_card_bin: payment('boolean', '卡 BIN 在白名单', 'The card’s BIN is on the allow list'),
  minutes_since_sign_in: both(
    'number',
    '距上次登录分钟数',
    'Minutes since the holder’s last sign-in (for a sign-in: the previous one; null: never)',
  ),
  device_age_days: both(
    'number',
    '设备首次出现至今天数',
    'Days since the engine first saw the holder on this device (null: never)',
  ),
  device_new: both(
    'boolean',
    '新设备（7 天内首次出现或从未出现）',
    'Device first seen less than 7 days ago, never seen, or unknown',
  ),
  holder_age_days: both(
    'number',
    '首次见到该用户（其任一设备）至今天数',
    'Days since the engine first saw the holder on any device — for a holder registered since, the registration (null: never)',
  ),
  known_holder_new_device: both(
    'boolean',
    '老用户换了新设备：7 天前已在其他设备上见过该用户，而本设备是新设备',
    'A new device of an established holder: the holder was first seen 7 days ago or more (so on another device), this device is new',
  ),
  geo_distance_km: both(
    'number',
    '与上次登录地点的距离（公里）',
    'Distance from the last sign-in’s place, km (null: a place unknown)',
  ),
  place_unknown: both(
    'boolean',
    'IP 无法定位（多数地址如此；也可能是境外代理）',
    'The request has an IP the places adapter cannot place (most addresses; a proxy abroad too)',
  ),
  geo_speed_kmh: both(
    'number',
    '与上次登录之间的隐含速度（公里/小时）',
    'Implied speed from the last sign-in, km/h (null: a place unknown)',
  ),
  night: both('boolean', '北京时间 00:00–05:00', 'Between 00:00 and 05:00 Asia/Shanghai'),
  local_hour: both('number', '北京时间小时（0–23）', 'Hour of the day in Asia/Shanghai, 0–23'),
  minutes_since_credential_reset: both(
    'number',
    '距上次重置密码/支付密码分钟数',
    'Minutes since the last password or PIN reset (null: never)',
  ),
  holder_factor_failures_10m: both(
    'number',
    '10 分钟内支付密码错误次数',
    'Wrong PINs of the holder in 10 minutes',
  ),
  denied_device: both('boolean', '设备在黑名单', 'The device is on the deny list'),
  denied_ip: both('boolean', 'IP 在黑名单', 'The IP is on the deny list'),
  allowed_device: both('boolean', '设备在白名单', 'The device is on the allow list'),
  allowed_ip: both('boolean', 'IP 在白名单', 'The IP is on the allow list'),
  refund_amount_minor: refund('number', '退款金额（分）', 'The refund’s amount in minor units'),
  order_paid_minor: refund('number', '订单实付金额（分）', 'What the payer paid for the order, minor units'),
  refund_share_of_order: refund(
    'number',
    '本次退款 ÷ 订单实付金额',
    'This refund divided by what was paid for the order (1: the whole order at once)',
  ),
  order_fully_refunded_after: refund(
    'boolean',
    '本次退款后订单已全额退款',
    'After this refund the order is refunded in full (this one and the earlier ones)',
  ),
  minutes_since_order_paid: refund('number', '距订单付款分钟数', 'Minutes since the order was paid'),
  merchant_refunds_1h: refund(
    'number',
    '商户 1 小时内退款笔数（含本次）',
    'Refunds of the merchant let through in 1 hour, this one included',
  ),
  merchant_refunds_24h: refund(
    'number',
    '商户 24 小时内退款笔数（含本次）',
    'Refunds of the merchant let through in 24 hours, this one included',
  ),
  merchant_refunds_24h_minor: refund(
    'number',
    '商户 24 小时内退款金额合计（分，含本次）',
    'Sum of the merchant’s refunds let through in 24 hours, minor units, this one included',
  ),
  merchant_takings_24h_minor: refund(
    'number',
    '商户 24 小时内收款金额合计（分）',
    'Sum of the successful payments into the merchant in 24 hours, minor units',
  ),
  merchant_refund_to_takings_24h: refund(
    'number',
    '24 小时内退款合计 ÷ 收款合计（当日无收款为空）',
    'The merchant’s refunds in 24 hours (this one included) divided by its takings in 24 hours (null: nothing taken)',
  ),
} as const satisfies Record<string, FeatureDefinition>;

export type FeatureName = keyof typeof FEATURES;

/** Whether a feature may be read by a rule of this subject. */
export function featureApplies(name: string, subject: Subject): boolean {
  const definition = (FEATURES as Record<string, FeatureDefinition | undefined>)[name];
  if (definition === undefined) return false;
  const readers = definition.subject;
  if (typeof readers !== 'string') return readers.includes(subject);
  return readers === subject || (readers === 'both' && (subject === 'payment' || subject === 'sign_in'));
}

/** The catalogue's features a rule of `subject` may read (what `derive` gives for it). */
export function featuresOf(subject: Subject): string[] {
  return Object.keys(FEATURES).filter((name) => featureApplies(name, subject));
}

export function featureDefinition(name: string): FeatureDefinition | undefined {
  return (FEATURES as Record<string, FeatureDefinition | undefined>)[name];
}

// ─── Counters and windows ───────────────────────────────────────────────────────────────────────

export const MINUTE_SECONDS = 60;
export const TEN_MINUTES_SECONDS = 600;
export const HOUR_SECONDS = 3600;
export const DAY_SECONDS = 86_400;
/** The longest window: a store may forget counter events older than this. */
export const MAX_WINDOW_SECONDS = DAY_SECONDS;

export interface CounterDefinition {
  /** The counter key of one subject (holder, device, IP, payee, card). */
  key: (id: string) => string;
  /** The sliding windows read, in seconds. */
  windows: readonly number[];
  /** When the counter gets an event; `sum` adds the event's amount (minor units) where it has one. */
  counts: string;
}

/** The counters the engine keeps: each event adds `{ key, amount, at }` to some of them. */
export const COUNTERS = {
  holderPayments: {
    key: (holderId: string) => `holder:${holderId}:pay`,
    windows: [MINUTE_SECONDS, TEN_MINUTES_SECONDS, HOUR_SECONDS, DAY_SECONDS],
    counts: 'every judged payment attempt of the holder, any kind; sum: its amount',
  },
  holderNewPayees: {
    key: (holderId: string) => `holder:${holderId}:newpayee`,
    windows: [HOUR_SECONDS, DAY_SECONDS],
    counts:
      'first attempts (in a day: `pairTries`) to a payee never paid successfully before (not a merchant, not a top-up)',
  },
  holderNewCards: {
    key: (holderId: string) => `holder:${holderId}:newcard`,
    windows: [DAY_SECONDS],
    counts: 'top-ups from a card with no top-up in the previous 24 hours (distinct cards a day)',
  },
  pairTries: {
    key: (pair: string) => `pair:${pair}:try`,
    windows: [DAY_SECONDS],
    counts:
      'attempts of a holder to one payee never paid (`pairOf(holder, payee)`): a retry of the same new payee is not another one',
  },
  holderFactorFailures: {
    key: (holderId: string) => `holder:${holderId}:factorfail`,
    windows: [TEN_MINUTES_SECONDS],
    counts: 'wrong PINs',
  },
  devicePayments: {
    key: (deviceId: string) => `device:${deviceId}:pay`,
    windows: [HOUR_SECONDS],
    counts: 'payment attempts from the device, any holder',
  },
  ipPayments: {
    key: (ip: string) => `ip:${ip}:pay`,
    windows: [HOUR_SECONDS],
    counts: 'payment attempts from the IP, any holder',
  },
  payeeReceived: {
    key: (payeeHolderId: string) => `payee:${payeeHolderId}:recv`,
    windows: [HOUR_SECONDS, DAY_SECONDS],
    counts: 'payment attempts into the holder’s wallet (not top-ups); sum: their amounts',
  },
  payeeNewPayers: {
    key: (payeeHolderId: string) => `payee:${payeeHolderId}:recvnew`,
    windows: [HOUR_SECONDS],
    counts:
      'first attempts (in a day: `pairTries`) into the holder’s wallet of payers who never paid it before',
  },
  holderCredited: {
    key: (holderId: string) => `holder:${holderId}:credited`,
    windows: [DAY_SECONDS],
    counts: 'successful payments into the holder’s wallet from another wallet; sum: their amounts',
  },
  cardTopUps: {
    key: (cardId: string) => `card:${cardId}:topup`,
    windows: [HOUR_SECONDS, DAY_SECONDS],
    counts: 'top-up attempts from the card',
  },
  holderRedPackets: {
    key: (holderId: string) => `holder:${holderId}:redpacket`,
    windows: [HOUR_SECONDS, DAY_SECONDS],
    counts:
      'red packets the holder tried to send (judged attempts, whatever was decided); sum: their amounts',
  },
  redPacketClaims: {
    key: (senderId: string) => `holder:${senderId}:rpclaim`,
    windows: [DAY_SECONDS],
    counts: 'shares of the holder’s red packets credited to others (`receivedChanges`); sum: their amounts',
  },
  redPacketNewClaimers: {
    key: (senderId: string) => `holder:${senderId}:rpclaimnew`,
    windows: [DAY_SECONDS],
    counts:
      'shares of the holder’s red packets credited to holders registered less than a day before; sum: their amounts',
  },
  merchantRefunds: {
    key: (merchantId: string) => `merchant:${merchantId}:refund`,
    windows: [HOUR_SECONDS, DAY_SECONDS],
    counts:
      'refunds of the merchant the engine let through (`allow`); sum: their amounts. A refused refund moves nothing and is not counted against the next',
  },
  merchantTakings: {
    key: (merchantId: string) => `merchant:${merchantId}:takings`,
    windows: [DAY_SECONDS],
    counts: 'successful payments into the merchant (its takings); sum: their amounts',
  },
} as const satisfies Record<string, CounterDefinition>;

/** The id of a (holder, payee) pair for `COUNTERS.pairTries`. */
export function pairOf(holderId: string, payee: string): string {
  return `${holderId}>${payee}`;
}

/** The key of one counter's window in `RiskState.windows`. */
export function windowKey(counterKey: string, windowSeconds: number): string {
  return `${counterKey}@${windowSeconds}`;
}

/** The window keys (`${counterKey}@${windowSeconds}`) a judgement of these facts reads. */
export function stateKeys(facts: Facts): string[] {
  return stateWindows(facts).map((window) => window.key);
}

export interface StateWindow {
  counterKey: string;
  seconds: number;
  /** `${counterKey}@${seconds}`: its key in `RiskState.windows`. */
  key: string;
}

/** `stateKeys` with each key's parts, so a store need not parse them. */
export function stateWindows(facts: Facts): StateWindow[] {
  const keys: StateWindow[] = [];
  const add = (counter: CounterDefinition, id: string) => {
    const counterKey = counter.key(id);
    for (const seconds of counter.windows) {
      keys.push({ counterKey, seconds, key: windowKey(counterKey, seconds) });
    }
  };
  if (facts.subject === 'merchant_refund') {
    add(COUNTERS.merchantRefunds, facts.merchantId);
    add(COUNTERS.merchantTakings, facts.merchantId);
    return keys;
  }
  add(COUNTERS.holderFactorFailures, facts.holderId);
  if (facts.subject === 'sign_in') return keys;
  add(COUNTERS.holderPayments, facts.holderId);
  add(COUNTERS.holderNewPayees, facts.holderId);
  add(COUNTERS.holderNewCards, facts.holderId);
  add(COUNTERS.holderCredited, facts.holderId);
  if (facts.kind === RED_PACKET) {
    add(COUNTERS.holderRedPackets, facts.holderId);
    add(COUNTERS.redPacketClaims, facts.holderId);
    add(COUNTERS.redPacketNewClaimers, facts.holderId);
  }
  // What others tried to pay into this holder's wallet today (the payee counter's day window).
  const incoming = COUNTERS.payeeReceived.key(facts.holderId);
  keys.push({ counterKey: incoming, seconds: DAY_SECONDS, key: windowKey(incoming, DAY_SECONDS) });
  if (facts.deviceId !== null) add(COUNTERS.devicePayments, facts.deviceId);
  if (facts.ip !== null) add(COUNTERS.ipPayments, facts.ip);
  if (receivesIntoWallet(facts)) {
    add(COUNTERS.payeeReceived, facts.payeeHolderId);
    add(COUNTERS.payeeNewPayers, facts.payeeHolderId);
  }
  if (topUpCard(facts) !== null) add(COUNTERS.cardTopUps, facts.cardId as string);
  if (facts.kind !== TOP_UP) add(COUNTERS.pairTries, pairOf(facts.holderId, facts.payee));
  return keys;
}

// ─── What each event changes ────────────────────────────────────────────────────────────────────

/**
 * One change to the risk state, as plain data. A store applies a list of them in order:
 * - `counter`: one more event in the counter `key` at `at` (count + 1, sum + `amount`);
 * - `amount`: add `weight` to bin `bin` of the holder's amount histogram (zeros when absent);
 * - `payee_first_paid`: remember `at` for (holder, payee) unless an earlier time is remembered;
 * - `device_seen`: remember `at` for (holder, device) unless an earlier time is remembered;
 * - `sign_in`: the holder's last sign-in becomes (`at`, `place`) unless a later one is remembered;
 * - `credential_reset`: the holder's last reset becomes `at` unless a later one is remembered.
 * A merchant refund changes counters only (`refundChanges`).
 */
export type StateChange =
  | { type: 'counter'; key: string; amount: number; at: Date }
  | { type: 'amount'; holderId: string; bin: number; weight: number }
  | { type: 'payee_first_paid'; holderId: string; payee: string; at: Date }
  | { type: 'device_seen'; holderId: string; deviceId: string; at: Date }
  | { type: 'sign_in'; holderId: string; at: Date; place: Place | null }
  | { type: 'credential_reset'; holderId: string; at: Date };

/**
 * What `attemptChanges` needs of the state before the attempt: whether the payee was ever paid,
 * the card's 24-hour window and the (holder, payee) pair's (`priorWindows`). The judgement's own
 * read has them all.
 */
export type AttemptPrior = Pick<RiskState, 'windows' | 'payeeFirstPaidAt'>;

/** The windows `attemptChanges` reads (a subset of `stateWindows`). */
export function priorWindows(facts: PaymentFacts): StateWindow[] {
  const day = (counterKey: string): StateWindow => ({
    counterKey,
    seconds: DAY_SECONDS,
    key: windowKey(counterKey, DAY_SECONDS),
  });
  const card = topUpCard(facts);
  if (card !== null) return [day(COUNTERS.cardTopUps.key(card))];
  return [day(COUNTERS.pairTries.key(pairOf(facts.holderId, facts.payee)))];
}

/**
 * A judged payment attempt, whatever the decision: the velocity counters, the first-time counts
 * (which depend on the state before the attempt: hence `prior`) and the device seen.
 */
export function attemptChanges(facts: PaymentFacts, prior: AttemptPrior): StateChange[] {
  const { at, holderId } = facts;
  const amount = Number(facts.amountMinor);
  const changes: StateChange[] = [
    { type: 'counter', key: COUNTERS.holderPayments.key(holderId), amount, at },
  ];
  if (countsAsNewPayee(facts, prior)) {
    changes.push({ type: 'counter', key: COUNTERS.holderNewPayees.key(holderId), amount, at });
  }
  if (facts.kind !== TOP_UP && prior.payeeFirstPaidAt === null) {
    const key = COUNTERS.pairTries.key(pairOf(holderId, facts.payee));
    changes.push({ type: 'counter', key, amount, at });
  }
  if (facts.deviceId !== null) {
    changes.push({ type: 'counter', key: COUNTERS.devicePayments.key(facts.deviceId), amount, at });
    changes.push({ type: 'device_seen', holderId, deviceId: facts.deviceId, at });
  }
  if (facts.ip !== null) {
    changes.push({ type: 'counter', key: COUNTERS.ipPayments.key(facts.ip), amount, at });
  }
  if (facts.kind === RED_PACKET) {
    changes.push({ type: 'counter', key: COUNTERS.holderRedPackets.key(holderId), amount, at });
  }
  if (receivesIntoWallet(facts)) {
    const payee = facts.payeeHolderId;
    changes.push({ type: 'counter', key: COUNTERS.payeeReceived.key(payee), amount, at });
    if (firstTryOfNewPayee(facts, prior)) {
      changes.push({ type: 'counter', key: COUNTERS.payeeNewPayers.key(payee), amount, at });
    }
  }
  const card = topUpCard(facts);
  if (card !== null) {
    if (cardTopUpsInDay(prior, card) === 0) {
      changes.push({ type: 'counter', key: COUNTERS.holderNewCards.key(holderId), amount, at });
    }
    changes.push({ type: 'counter', key: COUNTERS.cardTopUps.key(card), amount, at });
  }
  return changes;
}

/**
 * A payment that moved money (the ledger accepted it): the payee is now known, a receiving
 * wallet is credited and, for money leaving the holder (anything but a top-up), the amount joins
 * the holder's history.
 */
export function successChanges(facts: PaymentFacts): StateChange[] {
  const changes: StateChange[] = [
    { type: 'payee_first_paid', holderId: facts.holderId, payee: facts.payee, at: facts.at },
  ];
  if (receivesIntoWallet(facts)) {
    const key = COUNTERS.holderCredited.key(facts.payeeHolderId);
    changes.push({ type: 'counter', key, amount: Number(facts.amountMinor), at: facts.at });
  }
  const merchantId = merchantOf(facts.payee);
  if (merchantId !== null && facts.kind !== TOP_UP) {
    // The merchant's takings, which its refunds are measured against (`merchantTakings`).
    const key = COUNTERS.merchantTakings.key(merchantId);
    changes.push({ type: 'counter', key, amount: Number(facts.amountMinor), at: facts.at });
  }
  if (facts.kind !== TOP_UP && facts.amountMinor > 0n) {
    changes.push({
      type: 'amount',
      holderId: facts.holderId,
      bin: amountBin(Number(facts.amountMinor)),
      weight: decayWeight(facts.at),
    });
  }
  return changes;
}

/**
 * Money credited into a holder's wallet by a movement that is not the receiver's payment and is
 * not judged as the sender's either — a red packet's share, credited when its claimer opens it
 * (the packet itself was judged when it was sent). For the receiver it is money arriving from
 * another wallet, as a transfer's is: the incoming and credited counts that the collected-then-
 * passed-on rules read (a mule collecting from many packets looks like one collecting transfers).
 * For the sender it is one more share of its packets taken, and — when the receiver registered
 * less than a day before — one more share spread over a fresh account (`redPacketNewClaimers`).
 */
export function receivedChanges(facts: ReceivedFacts): StateChange[] {
  const amount = Number(facts.amountMinor);
  const { at } = facts;
  const changes: StateChange[] = [
    { type: 'counter', key: COUNTERS.payeeReceived.key(facts.toHolderId), amount, at },
    { type: 'counter', key: COUNTERS.holderCredited.key(facts.toHolderId), amount, at },
  ];
  if (facts.kind === RED_PACKET_CLAIM) {
    changes.push({ type: 'counter', key: COUNTERS.redPacketClaims.key(facts.fromHolderId), amount, at });
    const registered = facts.toHolderRegisteredAt;
    if (registered !== null && at.getTime() - registered.getTime() < DAY_MS) {
      const key = COUNTERS.redPacketNewClaimers.key(facts.fromHolderId);
      changes.push({ type: 'counter', key, amount, at });
    }
  }
  return changes;
}

/**
 * A merchant refund the engine let through: the merchant's refund counters. Written with the
 * judgement under the merchant's lock, so refunds sent at once are each judged on the ones let
 * through before them; a refused refund moves nothing and counts nothing. (A refund let through
 * that the ledger then refuses — the merchant's balance too low — stays counted: it errs towards
 * caution, as the bucketed windows do.)
 */
export function refundChanges(facts: MerchantRefundFacts): StateChange[] {
  const key = COUNTERS.merchantRefunds.key(facts.merchantId);
  return [{ type: 'counter', key, amount: Number(facts.amountMinor), at: facts.at }];
}

/** A successful sign-in: where and when, and the device is now seen. */
export function signInChanges(facts: SignInFacts, place: Place | null): StateChange[] {
  const changes: StateChange[] = [{ type: 'sign_in', holderId: facts.holderId, at: facts.at, place }];
  if (facts.deviceId !== null) {
    changes.push({ type: 'device_seen', holderId: facts.holderId, deviceId: facts.deviceId, at: facts.at });
  }
  return changes;
}

export function credentialResetChanges(holderId: string, at: Date): StateChange[] {
  return [{ type: 'credential_reset', holderId, at }];
}

export function factorFailureChanges(holderId: string, at: Date): StateChange[] {
  return [{ type: 'counter', key: COUNTERS.holderFactorFailures.key(holderId), amount: 0, at }];
}

const TOP_UP = 'top_up';
const RED_PACKET = 'red_packet';
const RED_PACKET_CLAIM = 'red_packet_claim';
const MERCHANT_PREFIX = 'merchant:';

function isMerchant(payee: string): boolean {
  return payee.startsWith(MERCHANT_PREFIX);
}

/** The merchant a payee reference names (`merchant:<id>`); null: not a merchant. */
function merchantOf(payee: string): string | null {
  return isMerchant(payee) ? payee.slice(MERCHANT_PREFIX.length) : null;
}

/**
 * The holder's first attempt (in a day) to a payee never paid: a retry of the same payment — a
 * wrong PIN, a step-up, too little money — is not another new payee, nor another new payer for
 * the payee (`COUNTERS.pairTries`).
 */
function firstTryOfNewPayee(facts: PaymentFacts, prior: AttemptPrior): boolean {
  if (prior.payeeFirstPaidAt !== null || facts.kind === TOP_UP) return false;
  return totals(prior, COUNTERS.pairTries.key(pairOf(facts.holderId, facts.payee)), DAY_SECONDS).count === 0;
}

function countsAsNewPayee(facts: PaymentFacts, prior: AttemptPrior): boolean {
  return firstTryOfNewPayee(facts, prior) && !isMerchant(facts.payee);
}

function receivesIntoWallet(facts: PaymentFacts): facts is PaymentFacts & { payeeHolderId: string } {
  return facts.payeeHolderId !== null && facts.kind !== TOP_UP;
}

function topUpCard(facts: PaymentFacts): string | null {
  return facts.kind === TOP_UP ? facts.cardId : null;
}

function cardTopUpsInDay(state: Pick<RiskState, 'windows'>, cardId: string): number {
  return totals(state, COUNTERS.cardTopUps.key(cardId), DAY_SECONDS).count;
}

const NO_EVENTS: WindowTotals = { count: 0, sum: 0 };

function totals(state: Pick<RiskState, 'windows'>, counterKey: string, seconds: number): WindowTotals {
  return state.windows[windowKey(counterKey, seconds)] ?? NO_EVENTS;
}

// ─── The amount history ─────────────────────────────────────────────────────────────────────────

/** Bins of the amount histogram: log-scale, 64 bins from 1 fen to 10^10 fen (100 million yuan). */
export const AMOUNT_BINS = 64;
const AMOUNT_DECADES = 10;
const BINS_PER_DECADE = AMOUNT_BINS / AMOUNT_DECADES;

/**
 * Forward decay (Cormode et al., "Forward Decay", ICDE 2009): instead of shrinking every old
 * weight as time passes, a payment at time t is added with weight 2^((t − landmark) / half-life),
 * which grows with t. Quantiles only need relative weights, so no decay ever has to be applied;
 * the effective (decayed) count at time `now` is the sum of weights × 2^(−(now − landmark) /
 * half-life). With a 30-day half-life a payment 90 days old weighs 1/8 of today's: the history
 * reflects about the last 90 days. Weights stay far from the double's range for decades after
 * the landmark (2^(years × 12.2); overflow after about 2100).
 */
export const AMOUNT_HALF_LIFE_MS = 30 * 24 * 3600 * 1000;
export const AMOUNT_LANDMARK = new Date('2025-01-01T00:00:00+08:00');
/**
 * Below about five payments the median and p95 are null: too few to call anything unusual. The
 * decayed count of five payments is a little under 5 (a payment a day old weighs 0.977), so the
 * bar is 4.5: five payments in the last four and a half days, or more older ones.
 */
export const MIN_HISTORY_PAYMENTS = 4.5;

/** The bin of an amount in minor units (amounts below 1 fen fall in bin 0, above 10^10 in the last). */
export function amountBin(amountMinor: number): number {
  if (!(amountMinor > 1)) return 0;
  const bin = Math.floor(Math.log10(amountMinor) * BINS_PER_DECADE);
  return Math.min(AMOUNT_BINS - 1, bin);
}

/** Lower edge of a bin, in minor units. */
function binFloor(bin: number): number {
  return 10 ** (bin / BINS_PER_DECADE);
}

export function decayWeight(at: Date): number {
  return 2 ** ((at.getTime() - AMOUNT_LANDMARK.getTime()) / AMOUNT_HALF_LIFE_MS);
}

export function emptyHistogram(): number[] {
  return new Array<number>(AMOUNT_BINS).fill(0);
}

/** The histogram with one more payment (a new array: histograms are values). */
export function addAmount(histogram: readonly number[] | null, at: Date, amountMinor: number): number[] {
  const next = histogram === null ? emptyHistogram() : [...histogram];
  const bin = amountBin(amountMinor);
  next[bin] = (next[bin] ?? 0) + decayWeight(at);
  return next;
}

/** How many payments the histogram holds at `at`, decayed (a payment a half-life ago counts ½). */
export function effectiveCount(histogram: readonly number[] | null, at: Date): number {
  if (histogram === null) return 0;
  let total = 0;
  for (const weight of histogram) total += weight;
  return total / decayWeight(at);
}

/**
 * The q-quantile (0 < q < 1) of the decayed amounts, in minor units, interpolated geometrically
 * inside its bin (amounts are log-distributed, so this is the unbiased guess within a bin); null
 * below MIN_HISTORY_PAYMENTS payments. Accurate to within one bin: a factor of 10^(10/64) ≈ 1.43.
 */
export function quantile(histogram: readonly number[] | null, q: number, at: Date): number | null {
  if (!(q > 0 && q < 1)) throw new RangeError(`quantile needs 0 < q < 1, got ${q}`);
  if (histogram === null || effectiveCount(histogram, at) < MIN_HISTORY_PAYMENTS) return null;
  let total = 0;
  for (const weight of histogram) total += weight;
  const target = q * total;
  let below = 0;
  for (let bin = 0; bin < histogram.length; bin += 1) {
    const weight = histogram[bin] ?? 0;
    if (weight > 0 && below + weight >= target) {
      const fraction = (target - below) / weight;
      return binFloor(bin) * 10 ** (fraction / BINS_PER_DECADE);
    }
    below += weight;
  }
  return binFloor(histogram.length);
}

// ─── Places and time ────────────────────────────────────────────────────────────────────────────

const EARTH_RADIUS_KM = 6371.0088; // IUGG mean radius
const DEGREE = Math.PI / 180;

/** Great-circle distance in km (haversine: well conditioned for the short distances that matter). */
export function distanceKm(from: Place, to: Place): number {
  const dLatitude = (to.latitude - from.latitude) * DEGREE;
  const dLongitude = (to.longitude - from.longitude) * DEGREE;
  const h =
    Math.sin(dLatitude / 2) ** 2 +
    Math.cos(from.latitude * DEGREE) * Math.cos(to.latitude * DEGREE) * Math.sin(dLongitude / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Implied speed in km/h to cover `distanceKm` between two instants. The time is floored at one
 * minute so two requests in the same instant give a large finite speed (features are stored as
 * JSON, which has no Infinity), and the order of the instants does not matter.
 */
export function speedKmh(distance: number, from: Date, to: Date): number {
  const hours = Math.max(Math.abs(to.getTime() - from.getTime()), MINUTE_MS) / HOUR_MS;
  return distance / hours;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Asia/Shanghai is UTC+8 all year (platform/calendar.ts explains why a fixed offset is exact). */
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;
const NIGHT_END_HOUR = 5;
/** A device seen for less than this is new (domain-rules §7). */
export const NEW_DEVICE_DAYS = 7;
/**
 * A holder first seen at least this long ago is established: a new device of theirs is a change
 * (a new phone, or a takeover), where a holder younger than this is still on the devices they
 * started with. The same week as a new device's, so "established holder, new device" means the
 * holder was seen on another device before this one.
 */
export const ESTABLISHED_HOLDER_DAYS = NEW_DEVICE_DAYS;

/** The hour of the day, 0–23, in Asia/Shanghai. */
export function shanghaiHour(at: Date): number {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).getUTCHours();
}

/** 00:00 (included) to 05:00 (excluded), Asia/Shanghai. */
export function isNight(at: Date): boolean {
  return shanghaiHour(at) < NIGHT_END_HOUR;
}

// ─── Facts + state → features ───────────────────────────────────────────────────────────────────

/** The features of one request: the catalogue's features of its subject (and of both). */
export function derive(facts: Facts, state: RiskState): Features {
  if (facts.subject === 'merchant_refund') return refundFeatures(facts, state);
  const common = commonFeatures(facts, state);
  return facts.subject === 'sign_in' ? { ...common } : paymentFeatures(facts, state, common);
}

/** The features of both subjects. */
interface CommonFeatures {
  minutes_since_sign_in: number | null;
  device_age_days: number | null;
  device_new: boolean;
  holder_age_days: number | null;
  known_holder_new_device: boolean;
  geo_distance_km: number | null;
  geo_speed_kmh: number | null;
  place_unknown: boolean;
  night: boolean;
  local_hour: number;
  minutes_since_credential_reset: number | null;
  holder_factor_failures_10m: number;
  denied_device: boolean;
  denied_ip: boolean;
  allowed_device: boolean;
  allowed_ip: boolean;
}

function commonFeatures(facts: HolderFacts, state: RiskState): CommonFeatures {
  const { at } = facts;
  const deviceAgeDays =
    state.deviceFirstSeenAt === null || facts.deviceId === null
      ? null
      : Math.max(0, at.getTime() - state.deviceFirstSeenAt.getTime()) / DAY_MS;
  const deviceNew = deviceAgeDays === null || deviceAgeDays < NEW_DEVICE_DAYS;
  const holderAgeDays =
    state.holderFirstSeenAt === null
      ? null
      : Math.max(0, at.getTime() - state.holderFirstSeenAt.getTime()) / DAY_MS;
  let geoDistance: number | null = null;
  let geoSpeed: number | null = null;
  const last = state.lastSignIn;
  if (last !== null && last.place !== null && state.place !== null) {
    geoDistance = distanceKm(last.place, state.place);
    geoSpeed = speedKmh(geoDistance, last.at, at);
  }
  const { lists } = state;
  return {
    minutes_since_sign_in: last === null ? null : minutesBetween(last.at, at),
    device_age_days: deviceAgeDays,
    device_new: deviceNew,
    holder_age_days: holderAgeDays,
    // The holder is older than this device can be, so it was first seen on another one.
    known_holder_new_device: deviceNew && holderAgeDays !== null && holderAgeDays >= ESTABLISHED_HOLDER_DAYS,
    geo_distance_km: geoDistance,
    geo_speed_kmh: geoSpeed,
    place_unknown: facts.ip !== null && state.place === null,
    night: isNight(at),
    local_hour: shanghaiHour(at),
    minutes_since_credential_reset:
      state.lastCredentialResetAt === null ? null : minutesBetween(state.lastCredentialResetAt, at),
    holder_factor_failures_10m: totals(
      state,
      COUNTERS.holderFactorFailures.key(facts.holderId),
      TEN_MINUTES_SECONDS,
    ).count,
    denied_device: lists.deny.includes('device'),
    denied_ip: lists.deny.includes('ip'),
    allowed_device: lists.allow.includes('device'),
    allowed_ip: lists.allow.includes('ip'),
  };
}

/**
 * A payment's features: the common ones copied field by field into one object literal (spreading
 * or assigning sixty properties makes V8 build a slow dictionary object, and the synthetic
 * evaluation derives a hundred thousand of these).
 */
function paymentFeatures(facts: PaymentFacts, state: RiskState, common: CommonFeatures): Features {
  const { at, holderId } = facts;
  const amount = Number(facts.amountMinor);
  const balance = facts.balanceMinor === null ? null : Number(facts.balanceMinor);
  const payments = COUNTERS.holderPayments.key(holderId);
  const newPayees = COUNTERS.holderNewPayees.key(holderId);
  const credited = totals(state, COUNTERS.holderCredited.key(holderId), DAY_SECONDS);
  const paymentsDay = totals(state, payments, DAY_SECONDS);
  const newPayee = countsAsNewPayee(facts, state) ? 1 : 0;
  const card = topUpCard(facts);
  const cardTopUps = card === null ? null : COUNTERS.cardTopUps.key(card);
  const cardDay = cardTopUps === null ? null : totals(state, cardTopUps, DAY_SECONDS).count;
  const cardNewToday = cardDay === 0;
  const median = quantile(state.amountHistogram, 0.5, at);
  const p95 = quantile(state.amountHistogram, 0.95, at);
  const { lists } = state;

  const redPacket = facts.kind === RED_PACKET;
  const redPackets = COUNTERS.holderRedPackets.key(holderId);

  let payeeReceived1h: number | null = null;
  let payeeReceived24h: number | null = null;
  let payeeAmount1h: number | null = null;
  let payeeNewPayers1h: number | null = null;
  if (receivesIntoWallet(facts)) {
    const received = COUNTERS.payeeReceived.key(facts.payeeHolderId);
    const hour = totals(state, received, HOUR_SECONDS);
    payeeReceived1h = hour.count + 1;
    payeeAmount1h = hour.sum + amount;
    payeeReceived24h = totals(state, received, DAY_SECONDS).count + 1;
    payeeNewPayers1h =
      totals(state, COUNTERS.payeeNewPayers.key(facts.payeeHolderId), HOUR_SECONDS).count +
      (firstTryOfNewPayee(facts, state) ? 1 : 0);
  }

  return {
    minutes_since_sign_in: common.minutes_since_sign_in,
    device_age_days: common.device_age_days,
    device_new: common.device_new,
    holder_age_days: common.holder_age_days,
    known_holder_new_device: common.known_holder_new_device,
    geo_distance_km: common.geo_distance_km,
    geo_speed_kmh: common.geo_speed_kmh,
    place_unknown: common.place_unknown,
    night: common.night,
    local_hour: common.local_hour,
    minutes_since_credential_reset: common.minutes_since_credential_reset,
    holder_factor_failures_10m: common.holder_factor_failures_10m,
    denied_device: common.denied_device,
    denied_ip: common.denied_ip,
    allowed_device: common.allowed_device,
    allowed_ip: common.allowed_ip,
    amount_minor: amount,
    balance_minor: balance,
    amount_to_balance: balance === null || balance <= 0 ? null : amount / balance,
    holder_payments_1m: totals(state, payments, MINUTE_SECONDS).count + 1,
    holder_payments_10m: totals(state, payments, TEN_MINUTES_SECONDS).count + 1,
    holder_payments_1h: totals(state, payments, HOUR_SECONDS).count + 1,
    holder_payments_24h: paymentsDay.count + 1,
    holder_amount_24h: paymentsDay.sum + amount,
    holder_new_payees_1h: totals(state, newPayees, HOUR_SECONDS).count + newPayee,
    holder_new_payees_24h: totals(state, newPayees, DAY_SECONDS).count + newPayee,
    holder_cards_24h:
      totals(state, COUNTERS.holderNewCards.key(holderId), DAY_SECONDS).count + (cardNewToday ? 1 : 0),
    holder_received_24h: credited.count,
    holder_incoming_24h: totals(state, COUNTERS.payeeReceived.key(holderId), DAY_SECONDS).count,
    holder_received_amount_24h: credited.sum,
    device_payments_1h:
      facts.deviceId === null
        ? null
        : totals(state, COUNTERS.devicePayments.key(facts.deviceId), HOUR_SECONDS).count + 1,
    ip_payments_1h:
      facts.ip === null ? null : totals(state, COUNTERS.ipPayments.key(facts.ip), HOUR_SECONDS).count + 1,
    payee_received_1h: payeeReceived1h,
    payee_received_24h: payeeReceived24h,
    payee_amount_1h: payeeAmount1h,
    payee_new_payers_1h: payeeNewPayers1h,
    card_topups_1h: cardTopUps === null ? null : totals(state, cardTopUps, HOUR_SECONDS).count + 1,
    card_topups_24h: cardDay === null ? null : cardDay + 1,
    holder_amount_median: median,
    holder_amount_p95: p95,
    amount_over_median: median === null ? null : amount / median,
    amount_over_p95: p95 === null ? null : amount / p95,
    payee_first_time: state.payeeFirstPaidAt === null,
    payee_days_known:
      state.payeeFirstPaidAt === null
        ? null
        : Math.max(0, at.getTime() - state.payeeFirstPaidAt.getTime()) / DAY_MS,
    payee_is_merchant: isMerchant(facts.payee),
    payee_is_wallet: facts.payeeHolderId !== null,
    card_new_today: cardNewToday,
    kind_is_top_up: facts.kind === TOP_UP,
    kind_is_withdrawal: facts.kind === 'withdrawal',
    kind_is_transfer: facts.kind === 'transfer',
    kind_is_bank_transfer: facts.kind === 'bank_transfer',
    kind_is_payment_request: facts.kind === 'payment_request',
    kind_is_payout: facts.kind === 'withdrawal' || facts.kind === 'bank_transfer',
    kind_is_red_packet: redPacket,
    holder_red_packets_1h: redPacket ? totals(state, redPackets, HOUR_SECONDS).count + 1 : null,
    holder_red_packets_24h: redPacket ? totals(state, redPackets, DAY_SECONDS).count + 1 : null,
    holder_red_packet_claims_24h: redPacket
      ? totals(state, COUNTERS.redPacketClaims.key(holderId), DAY_SECONDS).count
      : null,
    holder_red_packet_new_claimers_24h: redPacket
      ? totals(state, COUNTERS.redPacketNewClaimers.key(holderId), DAY_SECONDS).count
      : null,
    denied_payee: lists.deny.includes('payee'),
    denied_card_bin: lists.deny.includes('card_bin'),
    allowed_payee: lists.allow.includes('payee'),
    allowed_card_bin: lists.allow.includes('card_bin'),
  };
}

/**
 * A merchant refund's features: its shape against its order, and the merchant's refunds (those
 * let through before it, and it) against its takings. Nothing of any holder: the money is the
 * merchant's, and the payer only gets back what they paid.
 */
function refundFeatures(facts: MerchantRefundFacts, state: RiskState): Features {
  const amount = Number(facts.amountMinor);
  const paid = Number(facts.orderPaidMinor);
  const refunds = COUNTERS.merchantRefunds.key(facts.merchantId);
  const day = totals(state, refunds, DAY_SECONDS);
  const refundedDay = day.sum + amount;
  const takings = totals(state, COUNTERS.merchantTakings.key(facts.merchantId), DAY_SECONDS).sum;
  const { lists } = state;
  return {
    refund_amount_minor: amount,
    order_paid_minor: paid,
    refund_share_of_order: paid > 0 ? amount / paid : null,
    order_fully_refunded_after: facts.orderRefundedMinor + facts.amountMinor >= facts.orderPaidMinor,
    minutes_since_order_paid: minutesBetween(facts.orderPaidAt, facts.at),
    merchant_refunds_1h: totals(state, refunds, HOUR_SECONDS).count + 1,
    merchant_refunds_24h: day.count + 1,
    merchant_refunds_24h_minor: refundedDay,
    merchant_takings_24h_minor: takings,
    merchant_refund_to_takings_24h: takings > 0 ? refundedDay / takings : null,
    denied_payee: lists.deny.includes('payee'),
    allowed_payee: lists.allow.includes('payee'),
  };
}

/** The payee reference of a refund: the payer who gets the money back (the lists' `payee`). */
export function refundPayee(facts: MerchantRefundFacts): string {
  return `user:${facts.payerUserId}`;
}

function minutesBetween(from: Date, to: Date): number {
  return Math.max(0, to.getTime() - from.getTime()) / MINUTE_MS;
}
