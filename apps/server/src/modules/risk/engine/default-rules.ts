/**
 * The rule set Qianbao ships (version 1), as data: what domain-rules §7 asks for, tuned on the
 * synthetic generator (synthetic/evaluate.ts; `qianbao risk evaluate` prints the figures) — whose
 * normal traffic has established holders and holders who register during the month. An
 * operator's saved rule set replaces it; this one is the starting point and the fallback.
 *
 * How the scores combine: the fired rules' scores are summed (clamped to 0–100); thresholds 65
 * step-up, 75 review, 90 block. Few signals are decisive on their own (a deny-listed payee, money
 * collected from ten payers or more and passed on to a new payee); most rules add 10–50, so a
 * payment is stopped when two or three independent signals agree — an established holder's new
 * phone *and* a new payee *and* most of the balance — while a holder who shows one of them (a
 * new phone, a stranger paid once, a trip, a burst of payments, a fumbled PIN) passes. A rule's
 * own decision is used where §7 names one (new device + large amount → step-up; deny list →
 * block), and the strongest decision wins.
 *
 * Who is new: a takeover is an *established* holder (first seen by the engine a week ago or more)
 * on a new device, so the device rules need `known_holder_new_device`. A new holder is on their
 * first device by definition, and their first hour — register, top up, pay a friend or the rent
 * much of it — is every new customer's (default-rules.test.ts). A brand-new account matters for
 * card testing only: tiny top-ups again and again, or from another card.
 *
 * Places: an unknown place adds nothing — most addresses cannot be placed (the sandbox adapter
 * knows documentation ranges only, a bank's provider misses many). Places count when both ends
 * are known: the implied speed, the distance from the last sign-in.
 *
 * "Large" is absolute where a small holder's history would make everything look large (≥ 2,000
 * yuan for a new device, ≥ 1,000 yuan at night), and relative where the history says more
 * (× 90-day median, × p95, share of the balance). Merchants are excluded from the
 * first-time-payee rules: a shop is not where stolen money goes (features.ts).
 */
import { ESTABLISHED_HOLDER_DAYS } from './features.ts';
import type { Condition, Decision, Operator, Rule, RuleSet } from './types.ts';

const YUAN = 100;

const is = (feature: string, value = true): Condition => ({ feature, op: '==', value });
const compare = (feature: string, op: Operator, value: number): Condition => ({ feature, op, value });
const all = (...conditions: Condition[]): Condition => ({ all: conditions });
const any = (...conditions: Condition[]): Condition => ({ any: conditions });

/** Money leaving the holder to a person or bank account never paid before. */
const NEW_PERSON_PAYEE = all(
  is('payee_first_time'),
  is('payee_is_merchant', false),
  is('kind_is_top_up', false),
);

/**
 * A holder the engine first saw less than a day ago (or never): a new customer — or an account
 * opened for card testing, which looks the same until it tops up again and again.
 */
const NEW_HOLDER = any(compare('holder_age_days', '<', 1), { not: compare('holder_age_days', '>=', 0) });

/** A holder the engine has known for a week or more (features.ts `ESTABLISHED_HOLDER_DAYS`). */
const ESTABLISHED_HOLDER = compare('holder_age_days', '>=', ESTABLISHED_HOLDER_DAYS);

function rule(
  id: string,
  subject: Rule['subject'],
  score: number,
  description: Rule['description'],
  when: Condition,
  decision?: Decision,
): Rule {
  return decision === undefined
    ? { id, subject, description, when, score }
    : { id, subject, description, when, score, decision };
}

/**
 * A merchant's refunds (subject `merchant_refund`): staff return at most what a payer paid, to
 * that payer, from the merchant's balance. An ordinary refund — part or all of an order, minutes
 * or weeks after it was paid — passes. What stops one is the shape of a merchant emptying itself:
 * refunds by the dozen in an hour, a day's refunds close to the day's takings, a large order
 * refunded whole long after. There is no step-up for a refund (nobody's own factor confirms
 * it: staff act for the merchant) and no hold, so these rules ask for `review`, which refuses
 * the refund (RISK_REVIEW_REQUIRED) and leaves it to the merchant to ask support; a deny-listed
 * payer is blocked (RISK_BLOCKED; nothing is frozen: the merchant's money is not a wallet).
 *
 * Also the rules an existing database is given when its rule sets have none for refunds
 * (service.ts `seedDefaultRules`).
 */
export const MERCHANT_REFUND_RULES: Rule[] = [
  rule(
    'deny_listed_refund_payee',
    'merchant_refund',
    100,
    {
      zh: '收到退款的付款人在黑名单',
      en: 'The payer who would get the refund is on the payee deny list',
    },
    is('denied_payee'),
    'block',
  ),
  rule(
    'refund_burst',
    'merchant_refund',
    50,
    {
      zh: '商户 1 小时内已有 30 笔退款，本次为第 31 笔及以后',
      en: 'More than thirty refunds of the merchant within an hour: thirty let through already, this one included',
    },
    compare('merchant_refunds_1h', '>', 30),
    'review',
  ),
  rule(
    'refunds_near_takings',
    'merchant_refund',
    50,
    {
      zh: '商户 24 小时内退款超过当日收款的 80%，且合计 2,000 元及以上',
      en: 'The merchant’s refunds in 24 hours above 80 % of its takings in 24 hours, and ¥2,000 or more in all',
    },
    all(
      compare('merchant_refund_to_takings_24h', '>', 0.8),
      compare('merchant_refunds_24h_minor', '>=', 2000 * YUAN),
    ),
    'review',
  ),
  rule(
    'late_full_refund_large',
    'merchant_refund',
    50,
    {
      zh: '付款 30 天后全额退款，且订单金额 1,000 元及以上',
      en: 'An order of ¥1,000 or more refunded in full more than 30 days after it was paid',
    },
    all(
      is('order_fully_refunded_after'),
      compare('minutes_since_order_paid', '>', 30 * 24 * 60),
      compare('order_paid_minor', '>=', 1000 * YUAN),
    ),
    'review',
  ),
];

/**
 * Red packets (kind `red_packet`, judged when sent). A packet to a group is money spread over
 * whoever opens the link, which is also the shape of a mule fanning stolen money out over fresh
 * accounts, or of a bonus farm. The ordinary sender — a family group at Spring Festival, a
 * dozen packets in an evening, claimed by relatives of long standing — passes. What stops a
 * packet is what came of the sender's earlier ones (features.ts `receivedChanges`): their shares
 * going to accounts registered less than a day before, or a holder the engine has known for less
 * than a day whose packets already reached a hundred people; a twentieth packet in an hour asks
 * for the sender's strongest factor. The claimers' side needs no rule of its own: a share is
 * money arriving in their wallet, so a collector of many packets who passes the money on meets
 * `collected_then_new_payee` and `pass_through_new_payee` as a collector of transfers does.
 * A red packet does not hold for review, so `review` refuses it (RISK_REVIEW_REQUIRED).
 *
 * Also the rules an existing database is given when no version of its rule sets has had them
 * (service.ts `seedDefaultRules`).
 */
export const RED_PACKET_RULES: Rule[] = [
  rule(
    'red_packet_burst',
    'payment',
    50,
    {
      zh: '1 小时内第 20 个及以上红包',
      en: 'The twentieth red packet or more within an hour',
    },
    all(is('kind_is_red_packet'), compare('holder_red_packets_1h', '>=', 20)),
    'step_up',
  ),
  rule(
    'red_packets_to_new_accounts',
    'payment',
    60,
    {
      zh: '24 小时内已有 10 份及以上红包被注册不到 1 天的新用户领取',
      en: 'Ten or more shares of the holder’s red packets claimed within a day by accounts registered less than a day before',
    },
    all(is('kind_is_red_packet'), compare('holder_red_packet_new_claimers_24h', '>=', 10)),
    'review',
  ),
  rule(
    'red_packet_fan_out_new_holder',
    'payment',
    60,
    {
      zh: '新用户（不到 1 天）的红包 24 小时内已被 100 份及以上领取',
      en: 'A holder first seen less than a day ago whose red packets were claimed 100 times or more within a day',
    },
    all(is('kind_is_red_packet'), compare('holder_red_packet_claims_24h', '>=', 100), NEW_HOLDER),
    'review',
  ),
];

export const DEFAULT_RULE_SET: RuleSet = {
  version: 1,
  thresholds: { stepUp: 65, review: 75, block: 90 },
  rules: [
    // ── Lists ──
    rule(
      'deny_listed_payee',
      'payment',
      100,
      { zh: '收款人在黑名单', en: 'The payee is on the deny list' },
      is('denied_payee'),
      'block',
    ),
    rule(
      'deny_listed_device',
      'payment',
      100,
      { zh: '设备在黑名单', en: 'The device is on the deny list' },
      is('denied_device'),
      'block',
    ),
    rule(
      'deny_listed_ip',
      'payment',
      50,
      { zh: 'IP 在黑名单', en: 'The IP is on the deny list' },
      is('denied_ip'),
      'review',
    ),
    rule(
      'deny_listed_card_bin',
      'payment',
      100,
      { zh: '充值卡 BIN 在黑名单', en: 'A top-up from a card whose BIN is on the deny list' },
      all(is('kind_is_top_up'), is('denied_card_bin')),
      'block',
    ),
    rule(
      'allow_listed_device',
      'payment',
      -30,
      { zh: '设备在白名单', en: 'The device is on the allow list' },
      is('allowed_device'),
    ),

    // ── Velocity ──
    rule(
      'payment_burst',
      'payment',
      40,
      { zh: '1 分钟内第 5 笔及以上付款', en: 'The fifth payment attempt or more within a minute' },
      compare('holder_payments_1m', '>=', 5),
    ),
    rule(
      'pin_failures',
      'payment',
      20,
      { zh: '10 分钟内支付密码错误 3 次及以上', en: 'Three or more wrong PINs within 10 minutes' },
      compare('holder_factor_failures_10m', '>=', 3),
    ),
    rule(
      'new_payees_burst',
      'payment',
      50,
      {
        zh: '1 小时内付给 4 个及以上新收款人（老用户：3 个及以上）',
        en: 'Four or more new payees within an hour (fan-out); three or more for a holder known for a week or more',
      },
      any(
        compare('holder_new_payees_1h', '>=', 4),
        all(compare('holder_new_payees_1h', '>=', 3), ESTABLISHED_HOLDER),
      ),
    ),
    rule(
      'many_new_payees_day',
      'payment',
      40,
      { zh: '24 小时内付给 5 个及以上新收款人', en: 'Five or more new payees within a day' },
      compare('holder_new_payees_24h', '>=', 5),
    ),
    rule(
      'fan_in_new_payers',
      'payment',
      50,
      {
        zh: '收款钱包 1 小时内有 3 个及以上首次付款人',
        en: 'The payee’s wallet got three or more first-time payers within an hour (fan-in)',
      },
      compare('payee_new_payers_1h', '>=', 3),
    ),
    rule(
      'fan_in_amount',
      'payment',
      40,
      {
        zh: '收款钱包 1 小时内收到 2000 元以上，且有 2 个及以上首次付款人',
        en: 'The payee’s wallet got 2,000 yuan or more within an hour, with two or more first-time payers',
      },
      all(compare('payee_new_payers_1h', '>=', 2), compare('payee_amount_1h', '>=', 2000 * YUAN)),
    ),

    // ── Money collected or drained, then sent on to new payees ──
    rule(
      'collected_then_new_payee',
      'payment',
      65,
      {
        zh: '24 小时内有 10 次及以上他人向其付款后，付给新收款人（资金归集后转出）',
        en: 'A new payee paid after ten or more payments into the holder’s wallet were attempted within a day (collected, then passed on)',
      },
      all(NEW_PERSON_PAYEE, compare('holder_incoming_24h', '>=', 10)),
    ),
    rule(
      'second_new_payee_drain',
      'payment',
      45,
      {
        zh: '老用户 1 小时内第 2 个及以上新收款人，且付出一半以上余额',
        en: 'Half the balance or more to a second new payee or more within an hour, by a holder known for a week or more',
      },
      all(
        NEW_PERSON_PAYEE,
        compare('holder_new_payees_1h', '>=', 2),
        compare('amount_to_balance', '>=', 0.5),
        ESTABLISHED_HOLDER,
      ),
    ),
    rule(
      'pass_through_new_payee',
      'payment',
      40,
      {
        zh: '24 小时内到账 5000 元以上后付给新收款人 1000 元以上',
        en: '1,000 yuan or more to a new payee after 5,000 yuan or more arrived within a day (money passing through)',
      },
      all(
        NEW_PERSON_PAYEE,
        compare('holder_received_amount_24h', '>=', 5000 * YUAN),
        compare('amount_minor', '>=', 1000 * YUAN),
      ),
    ),

    // ── Card testing ──
    rule(
      'top_up_many_cards',
      'payment',
      60,
      { zh: '24 小时内从 3 张及以上银行卡充值', en: 'Top-ups from three or more cards within a day' },
      all(is('kind_is_top_up'), compare('holder_cards_24h', '>=', 3)),
    ),
    rule(
      'top_up_burst',
      'payment',
      25,
      {
        zh: '10 分钟内第 5 笔及以上充值或付款',
        en: 'A top-up that is the fifth attempt or more within 10 minutes',
      },
      all(is('kind_is_top_up'), compare('holder_payments_10m', '>=', 5)),
    ),
    rule(
      'tiny_top_up_new_holder',
      'payment',
      25,
      {
        zh: '注册不到 1 天的用户小额（20 元及以下）充值',
        en: 'A top-up of 20 yuan or less by a holder first seen less than a day ago',
      },
      all(is('kind_is_top_up'), compare('amount_minor', '<=', 20 * YUAN), NEW_HOLDER),
    ),
    rule(
      'tiny_top_up_second_card',
      'payment',
      40,
      {
        zh: '注册不到 1 天的用户 24 小时内从第二张卡小额（20 元及以下）充值',
        en: 'A top-up of 20 yuan or less from a second card within a day, by a holder first seen less than a day ago',
      },
      all(
        is('kind_is_top_up'),
        compare('amount_minor', '<=', 20 * YUAN),
        compare('holder_cards_24h', '>=', 2),
        NEW_HOLDER,
      ),
    ),
    rule(
      'tiny_top_ups_only',
      'payment',
      40,
      {
        zh: '注册不到 1 天的用户 10 分钟内再次小额充值，且 24 小时内合计不超过 50 元',
        en: 'Another top-up of 20 yuan or less within 10 minutes, by a holder first seen less than a day ago who has moved no more than 50 yuan in a day',
      },
      all(
        is('kind_is_top_up'),
        compare('amount_minor', '<=', 20 * YUAN),
        compare('holder_payments_10m', '>=', 2),
        compare('holder_amount_24h', '<=', 50 * YUAN),
        NEW_HOLDER,
      ),
    ),
    rule(
      'repeated_tiny_top_ups',
      'payment',
      40,
      {
        zh: '10 分钟内第 3 笔及以上付款，且为小额（20 元及以下）充值',
        en: 'A top-up of 20 yuan or less that is the third attempt or more within 10 minutes',
      },
      all(
        is('kind_is_top_up'),
        compare('amount_minor', '<=', 20 * YUAN),
        compare('holder_payments_10m', '>=', 3),
      ),
    ),

    // ── Amount anomaly: alone it never stops a payment (a holder may buy something big) ──
    rule(
      'amount_over_median',
      'payment',
      15,
      {
        zh: '金额超过 90 天中位数 10 倍且不低于 500 元',
        en: 'Ten times the 90-day median or more, and 500 yuan or more',
      },
      all(
        is('kind_is_top_up', false),
        compare('amount_over_median', '>=', 10),
        compare('amount_minor', '>=', 500 * YUAN),
      ),
    ),
    rule(
      'amount_over_p95_new_payee',
      'payment',
      20,
      {
        zh: '付给新收款人的金额超过 95 分位的 1.5 倍',
        en: 'Above 1.5 × the 95th percentile, to a new payee',
      },
      all(NEW_PERSON_PAYEE, compare('amount_over_p95', '>', 1.5)),
    ),
    rule(
      'half_balance_to_new_payee',
      'payment',
      10,
      { zh: '将一半以上余额付给新收款人', en: 'Half the balance or more, to a new payee' },
      all(
        NEW_PERSON_PAYEE,
        compare('amount_to_balance', '>=', 0.5),
        compare('amount_minor', '>=', 20 * YUAN),
      ),
    ),
    rule(
      'drain_to_new_payee',
      'payment',
      10,
      { zh: '将 80% 以上余额付给新收款人', en: '80% of the balance or more, to a new payee' },
      all(
        NEW_PERSON_PAYEE,
        compare('amount_to_balance', '>=', 0.8),
        compare('amount_minor', '>=', 20 * YUAN),
      ),
    ),

    // ── Device, place, time ──
    rule(
      'new_device_large_amount',
      'payment',
      50,
      {
        zh: '老用户的新设备（7 天内）上 2000 元以上且超过本人 95 分位的付款：需加强验证',
        en: '2,000 yuan or more, above the holder’s 95th percentile (or no history), from a new device (seen less than 7 days) of a holder known for a week or more: step up',
      },
      all(
        is('kind_is_top_up', false),
        is('known_holder_new_device'),
        compare('amount_minor', '>=', 2000 * YUAN),
        { not: compare('amount_over_p95', '<=', 1) },
      ),
      'step_up',
    ),
    rule(
      'new_device_new_payee',
      'payment',
      40,
      {
        zh: '老用户在新设备上付给新收款人',
        en: 'A new payee paid from a new device of a holder known for a week or more',
      },
      all(NEW_PERSON_PAYEE, is('known_holder_new_device')),
    ),
    rule(
      'fresh_device_new_payee',
      'payment',
      25,
      {
        zh: '老用户在首次出现不到 1 天的设备上付给新收款人 200 元以上或一半以上余额',
        en: '200 yuan or more, or half the balance, to a new payee from a device first seen less than a day ago, of a holder known for a week or more',
      },
      all(
        NEW_PERSON_PAYEE,
        is('known_holder_new_device'),
        compare('device_age_days', '<', 1),
        any(compare('amount_minor', '>=', 200 * YUAN), compare('amount_to_balance', '>=', 0.5)),
      ),
    ),
    rule(
      'geo_velocity_payment',
      'payment',
      45,
      {
        zh: '与上次登录地相距 100 公里以上且隐含速度超过 900 公里/小时',
        en: 'More than 100 km from the last sign-in at an implied speed above 900 km/h',
      },
      all(compare('geo_speed_kmh', '>', 900), compare('geo_distance_km', '>', 100)),
    ),
    rule(
      'far_from_sign_in_new_payee',
      'payment',
      50,
      {
        zh: '远离上次登录地（300 公里以上）将 40% 以上余额付给新收款人',
        en: '40% of the balance or more to a new payee, 300 km or more from the last sign-in',
      },
      all(NEW_PERSON_PAYEE, compare('geo_distance_km', '>', 300), compare('amount_to_balance', '>=', 0.4)),
    ),
    rule(
      'night_new_payee_large',
      'payment',
      50,
      {
        zh: '夜间（0–5 点）付给新收款人 300 元以上，且金额达 1000 元、超过 95 分位或占余额 80% 以上',
        en: '300 yuan or more to a new payee between 00:00 and 05:00, and 1,000 yuan or more, above the 95th percentile or 80% of the balance',
      },
      all(
        NEW_PERSON_PAYEE,
        is('night'),
        compare('amount_minor', '>=', 300 * YUAN),
        any(
          compare('amount_minor', '>=', 1000 * YUAN),
          compare('amount_over_p95', '>', 1),
          compare('amount_to_balance', '>=', 0.8),
        ),
      ),
    ),
    rule(
      'night_large_amount',
      'payment',
      20,
      {
        zh: '夜间（0–5 点）金额超过 95 分位 2 倍',
        en: 'Above 2 × the 95th percentile between 00:00 and 05:00',
      },
      all(is('night'), compare('amount_over_p95', '>', 2), compare('amount_minor', '>=', 500 * YUAN)),
    ),

    // ── Credential reset (SIM swap) ──
    rule(
      'reset_then_new_payee',
      'payment',
      45,
      {
        zh: '重置密码后 24 小时内付给新收款人',
        en: 'A new payee within 24 hours of a password or PIN reset',
      },
      all(NEW_PERSON_PAYEE, compare('minutes_since_credential_reset', '<', 1440)),
    ),
    rule(
      'reset_then_new_device',
      'payment',
      25,
      {
        zh: '重置密码后 24 小时内老用户在新设备上付款',
        en: 'A payment from a new device of a holder known for a week or more, within 24 hours of a reset',
      },
      all(
        is('kind_is_top_up', false),
        is('known_holder_new_device'),
        compare('minutes_since_credential_reset', '<', 1440),
      ),
    ),

    // ── Sign-ins ──
    rule(
      'deny_listed_device_sign_in',
      'sign_in',
      100,
      { zh: '设备在黑名单', en: 'The device is on the deny list' },
      is('denied_device'),
      'block',
    ),
    rule(
      'deny_listed_ip_sign_in',
      'sign_in',
      50,
      { zh: 'IP 在黑名单', en: 'The IP is on the deny list' },
      is('denied_ip'),
      'review',
    ),
    rule(
      'geo_velocity_sign_in',
      'sign_in',
      70,
      {
        zh: '与上次登录相距 100 公里以上且隐含速度超过 900 公里/小时',
        en: 'More than 100 km from the previous sign-in at an implied speed above 900 km/h',
      },
      all(compare('geo_speed_kmh', '>', 900), compare('geo_distance_km', '>', 100)),
    ),
    rule(
      'new_device_far_sign_in',
      'sign_in',
      35,
      {
        zh: '老用户的新设备在距上次登录 300 公里以外登录',
        en: 'A new device of a holder known for a week or more, signing in 300 km or more from the previous sign-in',
      },
      all(is('known_holder_new_device'), compare('geo_distance_km', '>', 300)),
    ),
    rule(
      'reset_then_new_device_sign_in',
      'sign_in',
      40,
      {
        zh: '重置密码后 1 小时内老用户的新设备登录',
        en: 'A new device of a holder known for a week or more, signing in within an hour of a reset',
      },
      all(is('known_holder_new_device'), compare('minutes_since_credential_reset', '<', 60)),
    ),
    rule(
      'pin_failures_sign_in',
      'sign_in',
      20,
      { zh: '10 分钟内支付密码错误 3 次及以上', en: 'Three or more wrong PINs within 10 minutes' },
      compare('holder_factor_failures_10m', '>=', 3),
    ),

    // ── Red packets ──
    ...RED_PACKET_RULES,

    // ── Merchant refunds ──
    ...MERCHANT_REFUND_RULES,
  ],
};
