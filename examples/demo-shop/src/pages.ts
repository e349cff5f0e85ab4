/**
 * The demo shop's pages: plain HTML strings, Chinese first with the English beside it, no
 * script (the order page refreshes itself with a meta refresh while it waits for the webhook).
 */
import type { CreateCheckoutParams, Money, OrderWithRefunds } from '@qianbao/sdk';
import type { ReceivedWebhook } from './shop.ts';

export interface Item {
  name: string;
  english: string;
  blurb: string;
  blurbEnglish: string;
  /** What the checkout asks for (the API takes CNY). */
  price: CreateCheckoutParams['amount'];
}

/** Where a newcomer sees the merchant's side (sandbox: the demo owner's sign-in). */
export interface PortalInfo {
  url: string;
  phone: string;
  password: string;
}

export interface ShopView {
  shopName: string;
  mode: 'test' | 'live';
  item: Item;
  portal: PortalInfo | null;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

const SYMBOLS: Record<string, string> = { CNY: '¥', USD: '$', HKD: 'HK$', EUR: '€', JPY: '¥' };
const SCALES: Record<string, number> = { JPY: 0 };

/** `{ amount: "3800", currency: "CNY" }` → `¥38.00`, by string arithmetic (money is never a float). */
export function formatMoney(money: Money): string {
  const scale = SCALES[money.currency] ?? 2;
  const negative = money.amount.startsWith('-');
  const digits = money.amount.replace(/^-/, '').padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : '';
  const symbol = SYMBOLS[money.currency] ?? `${money.currency} `;
  return `${negative ? '-' : ''}${symbol}${whole}${fraction}`;
}

function time(at: Date): string {
  return at.toLocaleTimeString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });
}

/** Chinese, and the English beside it in a quieter voice. */
function both(chinese: string, english: string): string {
  return `${chinese} <span class="en">${english}</span>`;
}

const STYLE = `
:root { --ink: #2b2118; --muted: #6b5d52; --paper: #fbf6ef; --card: #fff; --brand: #b4441c;
  --brand-dark: #8f3412; --ok: #1b7f3b; --wait: #9a6700; --line: #eadfd2; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--paper); color: var(--ink); line-height: 1.5;
  font-family: -apple-system, BlinkMacSystemFont, 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei',
    'Noto Sans CJK SC', 'Noto Sans SC', 'Segoe UI', Roboto, sans-serif; }
main { max-width: 560px; margin: 0 auto; padding: 16px 16px 40px; }
a { color: var(--brand-dark); }
.en { color: var(--muted); font-weight: normal; font-size: 0.85em; }
.mode { margin: 0; padding: 10px 16px; background: #fff4d6; border-bottom: 1px solid #f0d68a;
  font-size: 14px; text-align: center; }
.mode.live { background: #fde2e2; border-color: #f3a5a5; }
.mode strong { color: #7a4b00; }
.mode.live strong { color: #9e0b23; }
header { text-align: center; margin: 20px 0 12px; }
header svg { display: block; margin: 0 auto; }
header h1 { margin: 8px 0 0; font-size: 26px; }
header p { margin: 2px 0 0; color: var(--muted); }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 16px; padding: 18px;
  margin: 14px 0; box-shadow: 0 1px 2px rgba(60, 30, 10, 0.05); }
.card h2 { margin: 0 0 10px; font-size: 18px; }
.item { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; }
.item h2 { margin: 0; }
.price { font-size: 24px; font-weight: 700; white-space: nowrap; }
.blurb { margin: 6px 0 14px; color: var(--muted); font-size: 14px; }
button, .button { display: block; width: 100%; padding: 13px 16px; border: 0; border-radius: 999px;
  background: var(--brand); color: #fff; font-size: 17px; font-weight: 600; text-align: center;
  text-decoration: none; cursor: pointer; font-family: inherit; }
button:hover, .button:hover { background: var(--brand-dark); }
button .en, .button .en { color: #ffe3d6; }
.button.quiet { background: #fff; color: var(--brand-dark); border: 1px solid var(--brand); }
ol { margin: 0; padding-left: 22px; }
ol li { margin: 6px 0; }
ol li .en, .note .en { display: block; font-size: 13px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.9em;
  background: #f5ede4; padding: 1px 5px; border-radius: 5px; white-space: nowrap; }
code.id { white-space: normal; word-break: break-all; }
.rows { margin: 0; }
.rows div { display: flex; justify-content: space-between; gap: 12px; padding: 6px 0;
  border-top: 1px solid var(--line); }
.rows div:first-child { border-top: 0; }
.rows dt { color: var(--muted); }
.rows dd { margin: 0; text-align: right; }
.status { display: inline-block; padding: 3px 12px; border-radius: 999px; font-weight: 600; white-space: nowrap; }
.rows dt { white-space: nowrap; }
.status.paid { background: #e3f4e8; color: var(--ok); }
.status.open, .status.paying { background: #fff4d6; color: var(--wait); }
.status.closed, .status.expired { background: #eee; color: #555; }
.served { margin: 14px 0 0; padding: 12px 14px; border-radius: 12px; background: #e3f4e8; }
.served strong { display: block; color: var(--ok); font-size: 17px; }
.served > span { display: block; margin-top: 2px; font-size: 13px; color: var(--muted); }
.hooks { list-style: none; margin: 0; padding: 0; }
.hooks li { padding: 12px 0; border-top: 1px solid var(--line); font-size: 14px; }
.hooks li:first-child { border-top: 0; padding-top: 0; }
.hooks .line { display: flex; justify-content: space-between; align-items: center; gap: 8px; flex-wrap: wrap;
  margin-bottom: 4px; }
.hooks .type { font-weight: 700; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.verified { display: inline-block; padding: 1px 10px; border-radius: 999px; background: #e3f4e8;
  color: var(--ok); font-weight: 600; font-size: 13px; white-space: nowrap; }
.verified .en { color: var(--ok); }
.hooks .meta { color: var(--muted); margin-top: 2px; }
.repeat { margin-top: 6px; padding: 6px 10px; border-radius: 8px; background: #fff4d6; color: #7a4b00;
  font-size: 13px; }
.repeat .en { display: block; color: #7a4b00; }
.waiting { color: var(--wait); }
.note { font-size: 14px; color: var(--muted); margin: 10px 0 0; }
.list { list-style: none; margin: 0; padding: 0; }
.list li { display: flex; justify-content: space-between; gap: 8px; padding: 6px 0;
  border-top: 1px solid var(--line); font-size: 14px; }
.list li:first-child { border-top: 0; }
.side p { margin: 6px 0; font-size: 14px; }
.en.block { display: block; font-size: 13px; }
.side .rows { margin: 8px 0; font-size: 14px; }
footer { margin-top: 22px; font-size: 13px; color: var(--muted); }
footer p { margin: 6px 0; }
`;

function layout(
  view: ShopView,
  title: string,
  body: string,
  options: { refreshSeconds?: number } = {},
): string {
  const refresh = options.refreshSeconds
    ? `<meta http-equiv="refresh" content="${options.refreshSeconds}">`
    : '';
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${refresh}
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
${modeBanner(view.mode)}
<main>
${body}
${footer()}
</main>
</body>
</html>
`;
}

function modeBanner(mode: 'test' | 'live'): string {
  return mode === 'test'
    ? `<p class="mode" role="note"><strong>测试模式 Test mode</strong> · 这是一个演示商店，用测试密钥收款，不会动用真实资金。` +
        `<span class="en">A demo shop on a test key: no real money moves.</span></p>`
    : `<p class="mode live" role="note"><strong>正式模式 Live mode</strong> · 这个演示商店用正式密钥收款：付款会动用真实资金。` +
        `<span class="en">This demo shop uses a live key: payments move real money.</span></p>`;
}

function footer(): string {
  return `<footer><p>${both('源代码', 'Source')}: <code>examples/demo-shop</code> · ${both(
    '用 @qianbao/sdk 写成',
    'built on @qianbao/sdk',
  )}</p></footer>`;
}

/** Where a newcomer sees the same payment from the merchant's side. */
function merchantSide(portal: PortalInfo | null): string {
  if (!portal) return '';
  return `<section class="card side" aria-labelledby="side-title">
<h2 id="side-title">${both('再看看商户这边', "The merchant's side")}</h2>
<p>登录<a href="${escapeHtml(portal.url)}">商户后台</a>，在「开发者」里能看到这个商店的测试密钥、webhook 地址和每一次投递，还可以重新发送。<span class="en block">Sign in to the <a href="${escapeHtml(portal.url)}">merchant portal</a>: 开发者 (Developers) shows this shop's test key, its webhook endpoint and every delivery, which you can re-send.</span></p>
<dl class="rows">
<div><dt>${both('店主手机号', 'Owner')}</dt><dd><code>${escapeHtml(portal.phone)}</code></dd></div>
<div><dt>${both('密码', 'Password')}</dt><dd><code>${escapeHtml(portal.password)}</code></dd></div>
</dl>
<p class="note">首次在浏览器登录要短信验证码，沙箱里在 <code>/dev/sms</code> 查看。<span class="en block">A first sign-in in a browser asks for an SMS code: in the sandbox it is at <code>/dev/sms</code>.</span></p>
</section>`;
}

const BOWL = `<svg width="76" height="76" viewBox="0 0 64 64" aria-hidden="true">
<path d="M22 5c-3 4 3 6 0 10M32 3c-3 4 3 6 0 10M42 5c-3 4 3 6 0 10" stroke="#c9a88a" stroke-width="2.5" fill="none" stroke-linecap="round"/>
<path d="M39 30L57 11M43 31L61 15" stroke="#6b3a1f" stroke-width="2.5" stroke-linecap="round"/>
<ellipse cx="32" cy="31" rx="25" ry="5.5" fill="#f6dfae"/>
<path d="M11 31q5-4 10 0t10 0t10 0t10 0" stroke="#dca852" stroke-width="2" fill="none"/>
<path d="M5 31h54c0 14-12 25-27 25S5 45 5 31z" fill="#b4441c"/>
<path d="M13 39h38" stroke="#f7c65b" stroke-width="2" stroke-dasharray="4 3"/>
<path d="M23 55h18l-2 4H25z" fill="#8f3412"/>
</svg>`;

function shopHeader(view: ShopView): string {
  return `<header>${BOWL}<h1>${escapeHtml(view.shopName)}</h1><p>Demo noodle shop</p></header>`;
}

export function homePage(
  view: ShopView,
  recent: { orders: { merchantOrderId: string; at: Date }[]; webhooks: readonly ReceivedWebhook[] },
): string {
  const { item } = view;
  const payStep =
    view.mode === 'test'
      ? `<li>在收银台选择「用测试付款人支付」：不用登录，也不用真钱。<span class="en">At the checkout, pay as the test payer: no sign-in, no real money.</span></li>`
      : `<li>在收银台登录钱包付款。<span class="en">At the checkout, sign in to a wallet and pay.</span></li>`;
  const orders = recent.orders.length
    ? `<section class="card" aria-labelledby="orders-title"><h2 id="orders-title">${both('最近的订单', 'Recent orders')}</h2>
<ul class="list">${recent.orders
        .map(
          (order) =>
            `<li><a href="/orders/${encodeURIComponent(order.merchantOrderId)}"><code>${escapeHtml(order.merchantOrderId)}</code></a><span>${time(order.at)}</span></li>`,
        )
        .join('')}</ul></section>`
    : '';
  const webhooks = recent.webhooks.length
    ? `<section class="card" aria-labelledby="webhooks-title"><h2 id="webhooks-title">${both('最近收到的 webhook', 'Recent webhooks')}</h2>
${webhookList(recent.webhooks)}</section>`
    : '';
  return layout(
    view,
    `${view.shopName} · Demo shop`,
    `${shopHeader(view)}
<section class="card" aria-labelledby="item-title">
<div class="item"><h2 id="item-title">${both(escapeHtml(item.name), escapeHtml(item.english))}</h2>
<span class="price" data-testid="price">${formatMoney(item.price)}</span></div>
<p class="blurb">${escapeHtml(item.blurb)} · ${escapeHtml(item.blurbEnglish)}</p>
<form method="post" action="/buy"><button type="submit">购买 <span class="en">Buy</span></button></form>
</section>
<section class="card" aria-labelledby="how-title">
<h2 id="how-title">${both('这个演示怎么运作', 'How this demo works')}</h2>
<ol>
<li>点击购买：商店通过 SDK 调用 <code>checkouts.create()</code>，把你送到钱包的收银台。<span class="en">Buy: the shop calls <code>checkouts.create()</code> through the SDK and sends you to Qianbao's hosted checkout.</span></li>
${payStep}
<li>钱包用签名的 webhook 通知商店；商店校验签名后出餐，并在订单页显示它。<span class="en">Qianbao tells the shop with a signed webhook; the shop verifies the signature, serves the order and shows the webhook on the order page.</span></li>
</ol>
</section>
${orders}
${webhooks}
${merchantSide(view.portal)}`,
  );
}

const STATUS: Record<OrderWithRefunds['status'], [string, string]> = {
  open: ['待支付', 'Unpaid'],
  paying: ['支付中', 'Being paid'],
  paid: ['已支付', 'Paid'],
  closed: ['已关闭', 'Closed'],
  expired: ['已过期', 'Expired'],
};

export function orderPage(
  view: ShopView,
  input: {
    order: OrderWithRefunds;
    webhooks: readonly ReceivedWebhook[];
    checkoutUrl: string | null;
    returned: 'paid' | 'cancelled' | null;
    refreshSeconds: number | null;
  },
): string {
  const { order, webhooks } = input;
  const [chinese, english] = STATUS[order.status];
  const served = webhooks.some((received) => received.event.type === 'payment.succeeded' && !received.repeat);
  const left =
    input.returned === 'cancelled' && order.status === 'open'
      ? `<p class="note">你从收银台返回，没有付款。<span class="en">You came back from the checkout without paying.</span></p>`
      : '';
  const payAgain =
    order.status === 'open' && input.checkoutUrl
      ? `<p><a class="button" href="${escapeHtml(input.checkoutUrl)}">去收银台付款 <span class="en">Pay at the checkout</span></a></p>`
      : '';
  const waiting =
    input.refreshSeconds !== null
      ? `<p class="waiting" data-testid="waiting">正在等待钱包的 payment.succeeded webhook，本页会自动刷新。<span class="en">Waiting for Qianbao's payment.succeeded webhook: this page refreshes itself.</span></p>`
      : '';
  return layout(
    view,
    `${order.merchantOrderId} · ${view.shopName}`,
    `<p><a href="/">← ${escapeHtml(view.shopName)} <span class="en">back to the shop</span></a></p>
<section class="card" aria-labelledby="order-title">
<h2 id="order-title">${both('订单', 'Order')} <code>${escapeHtml(order.merchantOrderId)}</code></h2>
<dl class="rows">
<div><dt>${both('商品', 'Item')}</dt><dd>${escapeHtml(order.description ?? '')}</dd></div>
<div><dt>${both('金额', 'Amount')}</dt><dd>${formatMoney(order.amount)}</dd></div>
<div><dt>${both('状态', 'Status')}</dt><dd><span class="status ${order.status}" data-testid="order-status">${chinese} ${english}</span></dd></div>
${order.paidAt ? `<div><dt>${both('支付时间', 'Paid at')}</dt><dd>${time(new Date(order.paidAt))}</dd></div>` : ''}
</dl>
<p class="note">状态来自订单查询 <code>orders.retrieve()</code>。<span class="en">The status comes from the order query, <code>orders.retrieve()</code>.</span></p>
${left}${payAgain}
${served ? `<p class="served" data-testid="served"><strong>✓ 已出餐 <span class="en">Served</span></strong><span>商店收到 payment.succeeded 后才备餐。The shop serves the order once payment.succeeded arrives.</span></p>` : ''}
</section>
<section class="card" aria-labelledby="received-title">
<h2 id="received-title">${both('商店收到的 webhook', 'Webhooks the shop received')}</h2>
${webhooks.length ? webhookList(webhooks) : ''}
${waiting}
${!webhooks.length && input.refreshSeconds === null ? `<p class="note">这笔订单没有 webhook。<span class="en">No webhooks for this order.</span></p>` : ''}
</section>`,
    input.refreshSeconds === null ? {} : { refreshSeconds: input.refreshSeconds },
  );
}

function webhookList(webhooks: readonly ReceivedWebhook[]): string {
  return `<ul class="hooks" data-testid="webhooks">${webhooks
    .map(
      (received) => `<li data-webhook-id="${escapeHtml(received.webhookId)}">
<div class="line"><span class="type">${escapeHtml(received.event.type)}</span><span class="verified">签名已验证 ✓ <span class="en">signature verified</span></span></div>
<div class="meta">webhook-id <code class="id">${escapeHtml(received.webhookId)}</code></div>
<div class="meta">${both('收到于', 'received at')} ${time(received.receivedAt)}</div>
${received.repeat ? `<div class="repeat">再次收到同一个 webhook-id（重新发送或重试）：已处理过，不会重复出餐。<span class="en">The same webhook-id again (a re-send or a retry): handled once already, not served twice.</span></div>` : ''}
</li>`,
    )
    .join('')}</ul>`;
}

export function messagePage(view: ShopView, title: [string, string], text: [string, string]): string {
  return layout(
    view,
    `${title[0]} · ${view.shopName}`,
    `${shopHeader(view)}<section class="card"><h2>${both(escapeHtml(title[0]), escapeHtml(title[1]))}</h2>
<p>${escapeHtml(text[0])}<br><span class="en">${escapeHtml(text[1])}</span></p>
<p><a class="button quiet" href="/">回到商店 <span class="en">Back to the shop</span></a></p></section>`,
  );
}
