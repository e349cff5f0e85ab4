/**
 * The first help articles, written by migration 2101 (published). Facts are those of docs/*.md at
 * the time (kyc.md, cards-and-funding.md, freeze.md, security.md, merchants.md, redpackets.md,
 * transfers.md). Once released this list is frozen like the migration: later changes are made in
 * the console (help:manage) or by a new migration.
 *
 * Body format (docs/help.md): paragraphs separated by a blank line, lines starting `- ` or `1. `
 * are list items, `**bold**`.
 */
export interface SeedArticle {
  id: string;
  category: 'account' | 'cards' | 'payments' | 'redpackets' | 'security' | 'merchants';
  position: number;
  zh: { title: string; body: string };
  en: { title: string; body: string };
}

export const SEED_ARTICLES: SeedArticle[] = [
  {
    id: '0193a000-0000-7000-8000-000000000001',
    category: 'account',
    position: 10,
    zh: {
      title: '如何实名认证？',
      body: `实名认证后，钱包的限额会提高。认证分为几步，每一步都会让您的账户升一级：

1. **T1**：在“我的 → 实名认证”中填写本人姓名和 18 位身份证号，由身份核验机构核对。
2. **T2**：绑定一张与实名同名的借记卡，银行四要素核验通过后自动升级。
3. **T3**：上传身份证正面、反面和一张本人自拍照（JPEG 或 PNG，每张不超过 5 MB），由工作人员审核，通过后升级。

每人每天最多提交 5 次身份核验；一个身份证号只能认证一个钱包。审核未通过时，您会收到消息并看到原因，按提示重新上传即可。

您的姓名和身份证号加密保存，页面上只显示部分内容（如 *明、1101**********0010）。`,
    },
    en: {
      title: 'How do I verify my real name?',
      body: `Verifying your real name raises your wallet's limits. Each step moves your account up one tier:

1. **T1**: in Me → Real-name verification, enter your legal name and your 18-character resident ID number; an identity service checks them.
2. **T2**: bind a debit card in the same name; once the bank has checked it, your tier rises on its own.
3. **T3**: upload the front and back of your ID card and a selfie (JPEG or PNG, at most 5 MB each); our staff review them and approve.

You can start at most 5 identity checks a day, and one ID number verifies one wallet. If your documents are not approved you get a message with the reason: upload them again as it says.

Your name and ID number are stored encrypted and only ever shown masked (for example *明, 1101**********0010).`,
    },
  },
  {
    id: '0193a000-0000-7000-8000-000000000002',
    category: 'account',
    position: 20,
    zh: {
      title: '各等级的限额是多少？',
      body: `钱包的限额取决于实名等级（以下为默认值，以“我的 → 实名认证”页面显示为准）：

- **T0**（仅手机号）：余额上限 ¥1,000，单笔 ¥500，每日 ¥1,000，每年 ¥10,000；可以收款，但不能提现到银行卡。
- **T1**（姓名和身份证号）：余额上限 ¥10,000，单笔 ¥5,000，每日 ¥10,000，每年 ¥200,000。
- **T2**（绑定同名借记卡）：余额上限 ¥500,000，单笔 ¥50,000，每日 ¥100,000，每年 ¥1,000,000。
- **T3**（证件审核通过）：无余额上限，单笔 ¥200,000，每日 ¥500,000，无年度限额。

每日限额按北京时间的自然日计算。等级只会升高，不会降低。`,
    },
    en: {
      title: 'What are the limits of each tier?',
      body: `Your wallet's limits depend on its real-name tier (defaults below; Me → Real-name verification shows yours):

- **T0** (a phone number only): balance up to ¥1,000, ¥500 a payment, ¥1,000 a day, ¥10,000 a year; you can receive money but not withdraw to a card.
- **T1** (name and ID number): balance up to ¥10,000, ¥5,000 a payment, ¥10,000 a day, ¥200,000 a year.
- **T2** (a debit card in your name): balance up to ¥500,000, ¥50,000 a payment, ¥100,000 a day, ¥1,000,000 a year.
- **T3** (documents approved): no balance cap, ¥200,000 a payment, ¥500,000 a day, no yearly limit.

A day is a calendar day in Beijing time. A tier only ever goes up.`,
    },
  },
  {
    id: '0193a000-0000-7000-8000-000000000003',
    category: 'cards',
    position: 10,
    zh: {
      title: '如何绑定银行卡？',
      body: `绑定银行卡前需要先完成实名认证（T1）。

1. 打开“银行卡 → 添加银行卡”，输入卡号和该卡在银行预留的手机号。
2. 银行会用您的实名信息核验这张卡，并向预留手机号发送验证码。
3. 输入银行发来的验证码，完成绑定。

只支持**借记卡**，不支持信用卡。每人最多绑定 10 张卡，每天最多核验 10 次。绑定的第一张卡是默认卡。绑定与实名同名的借记卡后，钱包会升级到 T2。

我们不保存完整卡号，只显示卡号后四位。`,
    },
    en: {
      title: 'How do I bind a bank card?',
      body: `Verify your real name (T1) before binding a card.

1. Open Cards → Add a card, and enter the card number and the phone number the card has at the bank.
2. The bank checks the card against your real name and texts a code to that phone.
3. Enter the bank's code to finish.

Only **debit cards** can be bound, not credit cards. You can bind up to 10 cards and start up to 10 card checks a day. The first card becomes your default. Binding a debit card in your own name raises your wallet to T2.

We never keep the full card number: you see its last four digits.`,
    },
  },
  {
    id: '0193a000-0000-7000-8000-000000000004',
    category: 'cards',
    position: 20,
    zh: {
      title: '提现多久到账？手续费多少？',
      body: `提现到已绑定的银行卡，通常在 **2 小时内**到账，确认前提现页面会显示预计到账时间。银行处理中时，提现记录会显示“处理中”，结果出来后会通知您；如果银行退回，钱会回到您的钱包。

手续费：每个自然月提现 ¥1,000 以内免费；超出部分收取 0.1%，每笔最低 ¥0.10。确认前页面会显示本次手续费和本月剩余的免费额度。

提现需要输入支付密码（不能免密），并且钱包需要完成实名认证（T0 账户不能提现）。单笔和每日限额与您的实名等级相同。`,
    },
    en: {
      title: 'How long does a withdrawal take, and what does it cost?',
      body: `A withdrawal to a bound card usually arrives **within 2 hours**; the withdrawal screen shows when to expect it before you confirm. While the bank is processing, the withdrawal shows as processing and you are notified of the result; if the bank returns it, the money goes back to your wallet.

Fees: withdrawals of up to ¥1,000 per calendar month are free; above that, 0.1% of the excess, at least ¥0.10. The screen shows the fee and what is left of the month's free allowance before you confirm.

A withdrawal always needs your payment PIN (it is never password-free), and a real-name verified wallet (a T0 wallet cannot withdraw). The single-payment and daily limits of your tier apply.`,
    },
  },
  {
    id: '0193a000-0000-7000-8000-000000000005',
    category: 'security',
    position: 10,
    zh: {
      title: '手机丢了怎么办？',
      body: `请立即挂失，先让钱停下来：

1. 用新手机或借用的手机打开钱包，在登录页点“手机丢了？立即挂失”。
2. 输入手机号和身份证号，再输入发到该号码的短信验证码（手机卡一起丢了的话，请先到运营商补办手机卡）。

挂失后：钱包被**冻结**（不能付款、转账或提现，也不能收款），所有设备上的登录都会退出，丢失的设备被标记，所有通行密钥暂停使用，丢失手机上的付款码也会失效。

找回或换了手机后，用登录密码和短信验证码登录，在首页点“解冻”，用短信验证码、身份证号和挂失前设置好的身份验证器完成解冻。没有实名认证或没有设置身份验证器，请联系客服。`,
    },
    en: {
      title: 'I lost my phone. What should I do?',
      body: `Report it at once, so that no money can leave:

1. On a new or borrowed phone, open the wallet and tap "Lost your phone? Report it" on the sign-in page.
2. Enter your phone number and ID number, then the SMS code sent to that number (if the SIM card was lost too, get a replacement from your carrier first).

After the report your wallet is **frozen** (no payments, transfers or withdrawals, and nothing can be received), every session on every device ends, the lost devices are marked, all your passkeys are suspended, and the lost phone's payment codes stop working.

Once you have your phone back or a new one, sign in with your password and an SMS code, tap Unfreeze on Home, and confirm with an SMS code, your ID number and the authenticator app you set up before the report. Without a real-name record or an authenticator app, contact customer service.`,
    },
  },
  {
    id: '0193a000-0000-7000-8000-000000000006',
    category: 'security',
    position: 20,
    zh: {
      title: '付款码安全吗？',
      body: `付款码是一串 18 位数字（同时显示为二维码和条形码），**每分钟更换一次**，没有网络也能使用。每个码只能付款一次，过期的码会被拒绝。

- 在小额免密额度内，商户扫码后直接扣款；超出额度时，需要您在手机上确认（输入支付密码或使用通行密钥），一分钟内不确认则自动取消。
- 报告丢失的手机上的付款码会被拒绝。
- 付款码只在收银时出示给商户扫描，**不要截图或发给任何人**；任何人向您索要付款码数字都是诈骗。

开启付款码需要输入支付密码。可以随时在付款码页面关闭。`,
    },
    en: {
      title: 'Is the payment code safe?',
      body: `The payment code is an 18-digit number (shown as a QR code and a barcode too) that **changes every minute** and works without a network. Each code pays once; an expired code is refused.

- Within your password-free limit the merchant's scan charges you at once; above it you confirm on your phone (PIN or passkey), and a charge not confirmed within a minute is cancelled.
- Codes from a phone you reported lost are refused.
- Show the code only to a merchant's till, and **never send a screenshot or the digits to anyone**: whoever asks you for them is a fraudster.

Turning the payment code on needs your payment PIN. You can turn it off at any time on the payment code screen.`,
    },
  },
  {
    id: '0193a000-0000-7000-8000-000000000007',
    category: 'security',
    position: 30,
    zh: {
      title: '忘记支付密码怎么办？',
      body: `在付款时的密码键盘上点“忘记支付密码？”，或在“安全中心 → 支付密码”中重设：

1. 输入登录密码；
2. 输入发到您手机的短信验证码；
3. 已实名的账户还需输入身份证号；
4. 输入两次新的支付密码。

不能使用过于简单的密码，例如 111111、123456 或您的生日。连续输错 5 次支付密码，付款会被锁定 3 小时；重新设置支付密码可立即解锁。`,
    },
    en: {
      title: 'I forgot my payment PIN',
      body: `Tap "Forgot your PIN?" on the PIN pad when paying, or reset it in Security → Payment PIN:

1. enter your login password;
2. enter the SMS code sent to your phone;
3. a real-name verified account also enters its ID number;
4. type the new PIN twice.

PINs that are too simple, such as 111111, 123456 or your birthday, are refused. Five wrong PINs in a row lock payments for 3 hours; setting a new PIN lifts the lock at once.`,
    },
  },
  {
    id: '0193a000-0000-7000-8000-000000000008',
    category: 'payments',
    position: 10,
    zh: {
      title: '什么是小额免密支付？',
      body: `开启后，单笔金额不超过您设置的额度时，付款不需要输入支付密码。

在“安全中心 → 小额免密支付”中开启并选择单笔额度（默认最高 ¥200），保存时需要输入支付密码。无论单笔额度多少，每天免密付款合计不超过 **¥1,000**（北京时间自然日），超出后需要输入密码。

提现和转账到银行卡始终需要支付密码。`,
    },
    en: {
      title: 'What are password-free payments?',
      body: `When they are on, a payment up to the limit you chose needs no PIN.

Turn them on in Security → Password-free payments and choose the per-payment limit (at most ¥200 by default); saving asks for your PIN. Whatever the limit, password-free payments add up to at most **¥1,000 a day** (a calendar day in Beijing time); beyond that the PIN is asked again.

Withdrawals and transfers to a bank card always need the PIN.`,
    },
  },
  {
    id: '0193a000-0000-7000-8000-000000000009',
    category: 'payments',
    position: 20,
    zh: {
      title: '如何给朋友转账？',
      body: `在首页点“转账”，输入对方的手机号，或扫描对方的收款码，填写金额和留言（最多 50 字），确认后立即到账。

- 转账前会显示对方的部分姓名（如 *明），请核对后再付款。
- 转账受您实名等级的单笔、每日和每年限额限制，对方的余额也不能超过其等级的余额上限。
- 在免密额度内可直接付款，否则需要输入支付密码。

转账一经完成无法撤回。如被骗转账，请立即联系客服。`,
    },
    en: {
      title: 'How do I send money to a friend?',
      body: `On Home tap Transfer, enter their phone number or scan their receive code, fill in the amount and a note (up to 50 characters), and confirm: it arrives at once.

- Before you pay you see part of their name (for example *明): check it first.
- Transfers count toward the single, daily and yearly limits of your tier, and the payee's balance may not pass their tier's cap.
- Within your password-free limit you pay at once; otherwise you enter your PIN.

A completed transfer cannot be taken back. If you were tricked into sending money, contact customer service at once.`,
    },
  },
  {
    id: '0193a000-0000-7000-8000-000000000010',
    category: 'redpackets',
    position: 10,
    zh: {
      title: '红包多久退回？',
      body: `红包发出 **24 小时**后仍未被领取的金额，会自动退回到发红包人的钱包；发给一个人的红包 24 小时内未打开，也会整个退回。退回后您会收到通知，可以在“我的红包”中查看。

发红包时钱会先从钱包转出并保管起来，直到被领取或退回。拼手气红包每个人领到的金额随机，单个红包最多 ¥200。`,
    },
    en: {
      title: 'When does an unclaimed red packet come back?',
      body: `What nobody has claimed **24 hours** after a red packet was sent goes back to the sender's wallet on its own; a packet sent to one person and not opened within 24 hours comes back whole. You are notified, and My red packets shows the refund.

Sending a packet moves the money out of your wallet into safekeeping until it is claimed or refunded. In a lucky packet each share is drawn at random; one share is at most ¥200.`,
    },
  },
  {
    id: '0193a000-0000-7000-8000-000000000011',
    category: 'merchants',
    position: 10,
    zh: {
      title: '如何开通商户收款？',
      body: `实名认证的个人可以在钱包里开通“我的小店”，用收款码收顾客的付款，并可扫描顾客的付款码收款。

企业商户需要提交营业执照（JPEG、PNG 或 PDF，不超过 5 MB）、统一社会信用代码和法定代表人，由工作人员审核；审核通过前不能收款，未通过时会告知原因。每个钱包只能开通一个商户，一家企业只能开通一个商户。`,
    },
    en: {
      title: 'How do I start taking payments as a merchant?',
      body: `A real-name verified holder can open a shop (My shop) in the wallet and take customers' payments with its receive code, or scan a customer's payment code.

A company merchant applies with its business licence (JPEG, PNG or PDF, at most 5 MB), its unified social credit code and its legal representative; our staff review the application. It takes no payment until approved, and a rejection says why. One merchant per wallet, and one per company.`,
    },
  },
];
